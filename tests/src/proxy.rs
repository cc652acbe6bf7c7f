//! A JSON-RPC proxy between a role and its node that injects faults on a seeded schedule:
//! refused connections, resets in the middle of a response, stalls of a few seconds, HTTP 429
//! and 5xx answers, JSON-RPC errors. The faults story (`faults.rs`) puts one in front of each role.
//!
//! Plain HTTP/1.1, one request per connection (`Connection: close` both ways): what alloy's
//! HTTP transport sends, and enough to cut a connection at any point. The `k`-th request the
//! proxy reads gets the `k`-th draw of its seeded generator, so a schedule is reproducible as a
//! sequence of decisions (which request gets which depends on the roles' timing).

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};

/// A fault the proxy injects into one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The connection is closed (reset) before the request is read.
    Refused,
    /// The request reaches the node; its response is cut half-way and the connection reset.
    ResetMidResponse,
    /// The request waits a few seconds before it is forwarded.
    Stall,
    /// `429 Too Many Requests`, not forwarded.
    RateLimited,
    /// `503 Service Unavailable` or `502 Bad Gateway`, not forwarded.
    ServerError,
    /// A JSON-RPC error object (`-32603`, internal error), not forwarded.
    RpcError,
}

impl Fault {
    /// Every fault the proxy injects, in the order of the counts.
    pub const ALL: [Fault; 6] = [
        Fault::Refused,
        Fault::ResetMidResponse,
        Fault::Stall,
        Fault::RateLimited,
        Fault::ServerError,
        Fault::RpcError,
    ];

    /// Its name in the table.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Refused => "refused connection",
            Fault::ResetMidResponse => "reset mid-response",
            Fault::Stall => "stall (2-4 s)",
            Fault::RateLimited => "HTTP 429",
            Fault::ServerError => "HTTP 5xx",
            Fault::RpcError => "JSON-RPC error",
        }
    }
}

/// splitmix64, seeded: the schedule's draws.
#[derive(Debug)]
pub struct Rng(pub u64);

impl Rng {
    /// The next draw.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// What a proxy did so far.
#[derive(Debug, Default)]
pub struct Counts {
    /// Requests read.
    pub requests: AtomicU64,
    /// Faults injected, by [`Fault::ALL`] index.
    pub faults: [AtomicU64; 6],
}

impl Counts {
    /// Faults of kind `f` injected.
    pub fn of(&self, f: Fault) -> u64 {
        let i = Fault::ALL.iter().position(|&x| x == f).unwrap_or(0);
        self.faults[i].load(Ordering::Relaxed)
    }
}

/// A running proxy.
#[derive(Debug)]
pub struct Proxy {
    /// Its URL, for a role's `--rpc-url`.
    pub url: String,
    /// What it did.
    pub counts: Arc<Counts>,
    /// Faults are injected only while this is set (the harness sets it during disputes).
    pub active: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Shared {
    upstream: SocketAddr,
    rng: Mutex<Rng>,
    /// Faults per thousand requests.
    per_mille: u64,
    counts: Arc<Counts>,
    active: Arc<AtomicBool>,
}

impl Proxy {
    /// A proxy on a free local port forwarding to `upstream`, injecting a fault into
    /// `per_mille` of every thousand requests (while active), drawn from `seed`.
    pub async fn start(upstream: SocketAddr, seed: u64, per_mille: u64) -> io::Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let counts = Arc::new(Counts::default());
        let active = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            upstream,
            rng: Mutex::new(Rng(seed)),
            per_mille,
            counts: Arc::clone(&counts),
            active: Arc::clone(&active),
        });
        let task = tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    // A broken connection is one of the things this proxy is for.
                    let _ = serve(conn, &shared).await;
                });
            }
        });
        Ok(Proxy {
            url,
            counts,
            active,
            task,
        })
    }

    /// Faults injected so far, all kinds.
    pub fn injected(&self) -> u64 {
        Fault::ALL.iter().map(|&f| self.counts.of(f)).sum()
    }
}

/// The schedule's decision for the next request: a fault, or none.
fn draw(s: &Shared) -> Option<Fault> {
    let mut rng = s.rng.lock().ok()?;
    let (roll, kind) = (rng.next_u64() % 1000, rng.next_u64());
    if !s.active.load(Ordering::Relaxed) || roll >= s.per_mille {
        return None;
    }
    Some(Fault::ALL[(kind % Fault::ALL.len() as u64) as usize])
}

async fn serve(conn: TcpStream, s: &Shared) -> io::Result<()> {
    let fault = draw(s);
    if let Some(f) = fault {
        let i = Fault::ALL.iter().position(|&x| x == f).unwrap_or(0);
        s.counts.faults[i].fetch_add(1, Ordering::Relaxed);
    }
    if fault == Some(Fault::Refused) {
        // Closed with a reset before anything is read.
        conn.set_zero_linger()?;
        return Ok(());
    }
    let (head, body) = read_message(&conn).await?;
    s.counts.requests.fetch_add(1, Ordering::Relaxed);
    let id = json_id(&body);
    match fault {
        Some(Fault::RateLimited) => {
            return reply(&conn, "429 Too Many Requests", b"rate limited").await;
        }
        Some(Fault::ServerError) => {
            let status = if body.len() % 2 == 0 {
                "503 Service Unavailable"
            } else {
                "502 Bad Gateway"
            };
            return reply(&conn, status, b"upstream unavailable").await;
        }
        Some(Fault::RpcError) => {
            let err = format!(
                "{{\"jsonrpc\":\"2.0\",\"id\":{id},\"error\":{{\"code\":-32603,\"message\":\"injected internal error\"}}}}"
            );
            return reply(&conn, "200 OK", err.as_bytes()).await;
        }
        Some(Fault::Stall) => {
            let ms = 2_000 + (body.len() as u64 * 7919) % 2_000;
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        _ => {}
    }
    let _ = head;
    let response = forward(s.upstream, &body).await?;
    if fault == Some(Fault::ResetMidResponse) {
        let cut = response.len() / 2;
        write_all(&conn, &response[..cut]).await?;
        conn.set_zero_linger()?;
        return Ok(());
    }
    write_all(&conn, &response).await?;
    Ok(())
}

/// The JSON-RPC id of a request body (`null` when it has none), as raw JSON.
fn json_id(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.split_once("\"id\":")
        .map(|(_, rest)| {
            rest.trim_start()
                .split([',', '}'])
                .next()
                .unwrap_or("null")
                .trim()
                .to_string()
        })
        .unwrap_or_else(|| "null".into())
}

/// Reads one HTTP/1.1 message with a `Content-Length` body: its head and body.
async fn read_message(conn: &TcpStream) -> io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = read(conn, &mut chunk).await?;
        if n == 0 {
            return Err(broken("the connection closed before the request's head"));
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > 1 << 20 {
            return Err(broken("a request head above 1 MiB"));
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_string();
    let len = content_length(&head).ok_or_else(|| broken("a request without Content-Length"))?;
    let mut body = buf[end..].to_vec();
    while body.len() < len {
        let n = read(conn, &mut chunk).await?;
        if n == 0 {
            return Err(broken("the connection closed in the request's body"));
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(len);
    Ok((head, body))
}

fn content_length(head: &str) -> Option<usize> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse().ok())?
    })
}

/// Posts `body` to the node and returns its whole HTTP response (read to the end: the proxy
/// asks for `Connection: close`), its `Connection` header replaced by `close`, as bytes to relay.
async fn forward(upstream: SocketAddr, body: &[u8]) -> io::Result<Vec<u8>> {
    let up = TcpStream::connect(upstream).await?;
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {upstream}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    write_all(&up, head.as_bytes()).await?;
    write_all(&up, body).await?;
    let mut raw = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = read(&up, &mut chunk).await?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&chunk[..n]);
    }
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| broken("the node's response has no head"))?;
    let mut out = String::new();
    for line in String::from_utf8_lossy(&raw[..end]).split("\r\n") {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&raw[end + 4..]);
    Ok(bytes)
}

/// Answers with `status` and `body` itself (nothing forwarded).
async fn reply(conn: &TcpStream, status: &str, body: &[u8]) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    write_all(conn, head.as_bytes()).await?;
    write_all(conn, body).await?;
    Ok(())
}

/// Reads what the socket has (0: closed), waiting until it has something. (By hand: tokio's
/// `io-util` is not otherwise built, and would rebuild every crate above tokio.)
async fn read(s: &TcpStream, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        s.readable().await?;
        match s.try_read(buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            r => return r,
        }
    }
}

/// Writes all of `buf`, waiting while the socket is full.
async fn write_all(s: &TcpStream, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        s.writable().await?;
        match s.try_write(buf) {
            Ok(n) => buf = &buf[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A message that is not the HTTP this proxy speaks.
fn broken(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_id_and_the_length() {
        assert_eq!(json_id(br#"{"jsonrpc":"2.0","id":17,"method":"x"}"#), "17");
        assert_eq!(json_id(br#"{"method":"x","id": "a"}"#), "\"a\"");
        assert_eq!(json_id(b"{}"), "null");
        assert_eq!(
            content_length("POST / HTTP/1.1\r\ncontent-length: 42\r\n\r\n"),
            Some(42)
        );
        assert_eq!(content_length("POST / HTTP/1.1\r\n\r\n"), None);
    }
}
