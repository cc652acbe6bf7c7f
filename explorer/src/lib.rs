#![doc = include_str!("../README.md")]

mod api;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use opml_client::Client;

/// The page: one HTML file with its script and style, served at `/`.
pub const PAGE: &str = include_str!("../page/index.html");

/// Why the explorer could not serve.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The address could not be bound, or the server failed.
    #[error("serving the explorer on {addr}: {source}")]
    Serve {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// The explorer's routes: the page at `/`, its JSON at `/api/…`.
pub fn router(client: Client) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { ([(header::CACHE_CONTROL, "no-store")], Html(PAGE)).into_response() }),
        )
        .merge(api::routes(client))
}

/// A bound explorer, not yet serving: its address is known (port 0 picks a free one).
#[derive(Debug)]
pub struct Bound {
    listener: tokio::net::TcpListener,
    addr: SocketAddr,
    client: Client,
}

/// Binds `addr` for an explorer over `client`.
pub async fn bind(addr: SocketAddr, client: Client) -> Result<Bound, Error> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Serve { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| Error::Serve { addr, source })?;
    Ok(Bound {
        listener,
        addr,
        client,
    })
}

impl Bound {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `stop` resolves.
    pub async fn serve(self, stop: impl Future<Output = ()> + Send + 'static) -> Result<(), Error> {
        let addr = self.addr;
        axum::serve(self.listener, router(self.client))
            .with_graceful_shutdown(stop)
            .await
            .map_err(|source| Error::Serve { addr, source })
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    /// `GET path`: the status code and the body.
    fn get(addr: SocketAddr, path: &str) -> (u16, String) {
        let mut s = std::net::TcpStream::connect(addr).expect("connect");
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .expect("write");
        let mut resp = String::new();
        s.read_to_string(&mut resp).expect("read");
        let (head, body) = resp.split_once("\r\n\r\n").expect("a response");
        let code = head.split(' ').nth(1).and_then(|c| c.parse().ok());
        (code.expect("a status code"), body.to_owned())
    }

    /// The page, bad ids (400), an unknown path (404) and a chain that does not answer (502),
    /// each error as `{"error": …}`: no chain needed.
    #[tokio::test(flavor = "multi_thread")]
    async fn serves_the_page_and_says_what_is_wrong() {
        let oracle = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
            .parse()
            .unwrap();
        let client = Client::read_only("http://127.0.0.1:9", oracle).unwrap();
        let bound = bind("127.0.0.1:0".parse().unwrap(), client).await.unwrap();
        let addr = bound.local_addr();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(bound.serve(async move {
            let _ = rx.await;
        }));
        let answers = tokio::task::spawn_blocking(move || {
            [
                "/",
                "/api/game/x",
                "/api/program/12",
                "/api/nothing",
                "/api/game/1",
                "/api/overview",
            ]
            .map(|p| get(addr, p))
        })
        .await
        .unwrap();
        let [page, game_x, program_12, nothing, game_1, overview] = answers;
        assert_eq!(page.0, 200);
        assert!(page.1.contains("<title>opml explorer</title>"));
        assert_eq!(game_x, (400, r#"{"error":"not a game id: x"}"#.into()));
        assert_eq!(program_12.0, 400, "{program_12:?}");
        assert_eq!(nothing.0, 404, "{nothing:?}");
        for (code, body) in [game_1, overview] {
            assert_eq!(code, 502, "{body}");
            assert!(
                body.starts_with(r#"{"error":"reading the oracle's code"#),
                "{body}"
            );
        }
        tx.send(()).unwrap();
        server.await.unwrap().unwrap();
    }
}
