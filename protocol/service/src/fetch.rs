//! Programs a role does not hold, fetched from the metadata URI they were registered with
//! (`file://PATH`, `file:PATH` relative to the working directory, `http://…`, `https://…`) and
//! checked against the registered id: bytes that do not give the registration's id are refused,
//! so a URI can make a role waste a download, never run another program.

use std::time::Duration;

use alloy::primitives::B256;
use alloy::providers::DynProvider;
use alloy::rpc::types::Log;
use opml_bindings::oracle::IOpMLOracle;
use opml_bindings::oracle::OpMLOracle::{OpMLOracleInstance, ProgramRegistered};
use opml_bindings::state::program_id;

use crate::chain::{Chain, failed};
use crate::programs::StoredProgram;
use crate::{Error, Result};

/// The largest program a role downloads.
pub const MAX_BYTES: u64 = 256 << 20;
/// How long a download may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The bytes at `uri` (at most [`MAX_BYTES`]).
pub async fn fetch_uri(uri: &str) -> Result<Vec<u8>> {
    let fail = |why: String| Error::Program(format!("fetching `{uri}`: {why}"));
    let too_big = || fail(format!("larger than the {MAX_BYTES}-byte limit"));
    if let Some(path) = uri
        .strip_prefix("file://")
        .or_else(|| uri.strip_prefix("file:"))
    {
        let len = std::fs::metadata(path)
            .map_err(|e| fail(e.to_string()))?
            .len();
        if len > MAX_BYTES {
            return Err(too_big());
        }
        return std::fs::read(path).map_err(|e| fail(e.to_string()));
    }
    if !uri.starts_with("http://") && !uri.starts_with("https://") {
        return Err(fail(
            "no way to fetch it (file://, http:// and https:// are supported)".into(),
        ));
    }
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let mut resp = client
        .get(uri)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| fail(e.to_string()))?;
    if resp.content_length().is_some_and(|n| n > MAX_BYTES) {
        return Err(too_big());
    }
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| fail(e.to_string()))? {
        out.extend_from_slice(&chunk);
        if out.len() as u64 > MAX_BYTES {
            return Err(too_big());
        }
    }
    Ok(out)
}

/// Program `id` as registered: its on-chain record and its `ProgramRegistered` event and log
/// (searched from `from_block`; `None` if the node has no such log). `None` when no program
/// `id` is registered.
pub async fn registration(
    oracle: &OpMLOracleInstance<DynProvider>,
    id: B256,
    from_block: u64,
) -> Result<Option<(IOpMLOracle::Program, Option<(ProgramRegistered, Log)>)>> {
    let p: IOpMLOracle::Program = oracle
        .program(id)
        .call()
        .await
        .map_err(failed("reading the program"))?;
    if p.traceDepth == 0 {
        return Ok(None);
    }
    let event = oracle
        .ProgramRegistered_filter()
        .topic1(id)
        .from_block(from_block)
        .query()
        .await
        .map_err(failed("reading ProgramRegistered"))?
        .into_iter()
        .next();
    Ok(Some((p, event)))
}

/// Fetches program `id` from the metadata URI of its `ProgramRegistered` event and checks it
/// is the registered program.
pub async fn fetch_program(chain: &Chain, id: B256) -> Result<StoredProgram> {
    let (p, event) = registration(&chain.oracle, id, 0)
        .await?
        .ok_or_else(|| Error::Program(format!("no program {id} registered")))?;
    let uri = event
        .map(|(e, _)| e.metadataURI)
        .ok_or_else(|| Error::Program(format!("no ProgramRegistered event for program {id}")))?;
    if uri.is_empty() {
        return Err(Error::Program(format!(
            "program {id} was registered without a metadata URI"
        )));
    }
    let bytes = fetch_uri(&uri).await?;
    let name = uri
        .rsplit('/')
        .next()
        .unwrap_or(&uri)
        .trim_end_matches(".wasm");
    // Loaded with the registration's segment depth, which its program hash covers.
    let prog = StoredProgram::with_segment_depth(name, bytes, p.fields.segmentDepth)?;
    check(&prog, id, p.traceDepth, &uri)?;
    Ok(prog)
}

/// Whether `prog`, registered with trace depth `depth` and metadata URI `uri`, has the id
/// `id`.
pub fn check(prog: &StoredProgram, id: B256, depth: u8, uri: &str) -> Result<()> {
    let got = program_id(&prog.fields, depth, uri);
    if got != id {
        return Err(Error::Program(format!(
            "the program at `{uri}` is not program {id} (its id would be {got}): refused"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(module (memory 1) (func (export "main")))`
    fn wasm() -> Vec<u8> {
        wat::parse_str(r#"(module (memory 1) (func (export "main")))"#).expect("wat")
    }

    fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("opml-fetch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    }

    #[tokio::test]
    async fn a_file_uri_is_read_and_checked_against_the_id() {
        let path = temp_file("m.wasm", &wasm());
        for uri in [
            format!("file://{}", path.display()),
            format!("file:{}", path.display()),
        ] {
            let prog =
                StoredProgram::from_wasm("m", fetch_uri(&uri).await.expect("read")).expect("load");
            let id = program_id(&prog.fields, 20, &uri);
            check(&prog, id, 20, &uri).expect("its own id");
            // The same bytes under another depth or URI are another program.
            assert!(check(&prog, id, 21, &uri).is_err());
            assert!(check(&prog, id, 20, "file:other").is_err());
        }
    }

    #[tokio::test]
    async fn an_http_uri_is_downloaded_and_another_program_refused() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = axum::Router::new()
            .route("/m.wasm", axum::routing::get(|| async { wasm() }))
            .route(
                "/other.wasm",
                axum::routing::get(|| async {
                    wat::parse_str(r#"(module (memory 2) (func (export "main")))"#).expect("wat")
                }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await });
        let uri = format!("http://{addr}/m.wasm");
        let bytes = fetch_uri(&uri).await.expect("download");
        assert_eq!(bytes, wasm());
        let prog = StoredProgram::from_wasm("m", bytes).expect("load");
        let id = program_id(&prog.fields, 20, &uri);
        check(&prog, id, 20, &uri).expect("its own id");
        // Another program served at the registered URI is refused.
        let other = StoredProgram::from_wasm(
            "other",
            fetch_uri(&format!("http://{addr}/other.wasm"))
                .await
                .expect("download"),
        )
        .expect("load");
        let e = check(&other, id, 20, &uri).expect_err("another program");
        assert!(e.to_string().contains("refused"), "{e}");
        // A missing file is an HTTP error, said as such.
        let e = fetch_uri(&format!("http://{addr}/none.wasm"))
            .await
            .expect_err("404");
        assert!(e.to_string().contains("404"), "{e}");
    }

    #[tokio::test]
    async fn unreadable_uris_say_why() {
        let e = fetch_uri("file:/nonexistent/x.wasm").await.unwrap_err();
        assert!(e.to_string().contains("/nonexistent/x.wasm"), "{e}");
        let e = fetch_uri("ipfs://Qm").await.unwrap_err();
        assert!(
            e.to_string().contains("file://, http:// and https://"),
            "{e}"
        );
        // https is built in: a refused connection is said as such, with the URI.
        let e = fetch_uri("https://127.0.0.1:1/x.wasm").await.unwrap_err();
        assert!(e.to_string().contains("https://127.0.0.1:1/x.wasm"), "{e}");
        assert!(!e.to_string().contains("supported"), "{e}");
        let e = fetch_uri("http://127.0.0.1:1/x.wasm").await.unwrap_err();
        assert!(e.to_string().contains("http://127.0.0.1:1/x.wasm"), "{e}");
    }
}
