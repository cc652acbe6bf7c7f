//! The JSON the page reads: `/api/overview`, `/api/program/{id}`, `/api/request/{id}`,
//! `/api/result/{id}`, `/api/game/{id}`: `opml-client`'s views, the values
//! `opml status --json` prints. Not found is 404, bad input 400, a node that does not answer
//! 504, any other chain failure 502; each error is `{"error": "…"}`.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use opml_client::{Client, Error};
use serde::Serialize;

/// Programs, requests, results and games listed on the front page.
const LATEST: usize = 20;

/// How long one answer may take: a node that hangs gets the page an error, not a spinner.
const ANSWER_WITHIN: Duration = Duration::from_secs(20);

pub(crate) fn routes(client: Client) -> Router {
    Router::new()
        .route("/api/overview", get(overview))
        .route("/api/program/{id}", get(program))
        .route("/api/request/{id}", get(request))
        .route("/api/result/{id}", get(result))
        .route("/api/game/{id}", get(game))
        .fallback(|| async { reply::<()>(Err(Error::NotFound("no such page".into()))) })
        .with_state(client)
}

/// `what`'s answer, or [`Error::NoAnswer`] after [`ANSWER_WITHIN`].
async fn within<T: Serialize>(
    what: &str,
    f: impl Future<Output = opml_client::Result<T>>,
) -> Response {
    reply(
        tokio::time::timeout(ANSWER_WITHIN, f)
            .await
            .unwrap_or_else(|_| {
                Err(Error::NoAnswer {
                    op: what.into(),
                    secs: ANSWER_WITHIN.as_secs(),
                })
            }),
    )
}

/// A view as JSON, or its error with the status that says whose fault it is.
pub(crate) fn reply<T: Serialize>(r: opml_client::Result<T>) -> Response {
    let (code, body) = match r {
        Ok(v) => (StatusCode::OK, serde_json::to_string(&v)),
        Err(e) => {
            let code = match &e {
                Error::NotFound(_) => StatusCode::NOT_FOUND,
                Error::Input(_) => StatusCode::BAD_REQUEST,
                Error::NoAnswer { .. } => StatusCode::GATEWAY_TIMEOUT,
                _ => StatusCode::BAD_GATEWAY,
            };
            let error = serde_json::json!({ "error": e.to_string() });
            (code, serde_json::to_string(&error))
        }
    };
    match body {
        Ok(body) => (
            code,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

fn bad(what: &str, id: &str) -> Response {
    reply::<()>(Err(Error::Input(format!("not a {what}: {id}"))))
}

async fn overview(State(c): State<Client>) -> Response {
    within("reading the overview", c.overview(LATEST)).await
}

async fn program(State(c): State<Client>, Path(id): Path<String>) -> Response {
    match id.parse() {
        Ok(id) => within("reading the program", c.program(id)).await,
        Err(_) => bad("program id (0x and 64 hex digits)", &id),
    }
}

async fn request(State(c): State<Client>, Path(id): Path<String>) -> Response {
    match id.parse() {
        Ok(id) => within("reading the request", c.request(id)).await,
        Err(_) => bad("request id", &id),
    }
}

async fn result(State(c): State<Client>, Path(id): Path<String>) -> Response {
    match id.parse() {
        Ok(id) => within("reading the result", c.result(id)).await,
        Err(_) => bad("result id", &id),
    }
}

async fn game(State(c): State<Client>, Path(id): Path<String>) -> Response {
    match id.parse() {
        Ok(id) => within("reading the game", c.game(id)).await,
        Err(_) => bad("game id", &id),
    }
}
