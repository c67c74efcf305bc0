//! A raw HTTP/1.1 server on loopback for hostile-server tests: it answers each
//! request with exactly the bytes a test scripts (malformed status lines, lying
//! `Content-Length`s, truncated or invalid bodies), or holds it unanswered, and
//! records what it received.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the server does with one request.
pub enum Reply {
    /// Writes these bytes, then closes the connection.
    Bytes(Vec<u8>),
    /// Never answers; the connection stays open until the server is dropped.
    Hold,
}

/// A request as received: the head (request line and headers) and the body.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub head: String,
    pub body: Vec<u8>,
}

impl RawRequest {
    /// The request target of the request line (`/v1.0/me?x=1`).
    pub fn target(&self) -> &str {
        self.head.split(' ').nth(1).unwrap_or("")
    }

    /// The value of header `name`, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

type Script = dyn Fn(usize, &RawRequest) -> Reply + Send + Sync;

/// The server; dropping it stops it and closes every held connection.
pub struct RawServer {
    port: u16,
    requests: Arc<Mutex<Vec<RawRequest>>>,
    count: watch::Receiver<usize>,
    _stop: watch::Sender<bool>,
}

impl RawServer {
    /// Starts a server whose `script` decides the reply to request `n` (0-based).
    pub async fn start(
        script: impl Fn(usize, &RawRequest) -> Reply + Send + Sync + 'static,
    ) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (count_tx, count) = watch::channel(0usize);
        let (stop, stop_rx) = watch::channel(false);
        let script: Arc<Script> = Arc::new(script);
        let count_tx = Arc::new(count_tx);
        let recorded = requests.clone();
        tokio::spawn(async move {
            let mut stop_accept = stop_rx.clone();
            loop {
                let (socket, _) = tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok(a) => a,
                        Err(_) => return,
                    },
                    _ = stop_accept.changed() => return,
                };
                let script = script.clone();
                let recorded = recorded.clone();
                let count_tx = count_tx.clone();
                let mut stop_conn = stop_rx.clone();
                tokio::spawn(async move {
                    tokio::select! {
                        _ = serve(socket, script, recorded, count_tx) => {}
                        _ = stop_conn.changed() => {}
                    }
                });
            }
        });
        RawServer {
            port,
            requests,
            count,
            _stop: stop,
        }
    }

    /// A server answering request `n` with a 200 whose JSON body is `body(n)`,
    /// `SELF` in it replaced by the server's own URL (for `nextLink`s).
    pub async fn json_pages(body: impl Fn(usize) -> String + Send + Sync + 'static) -> RawServer {
        let own: Arc<std::sync::OnceLock<String>> = Arc::default();
        let url = own.clone();
        let server = RawServer::start(move |n, _| {
            let own = url.get().map(String::as_str).unwrap_or("");
            Reply::Bytes(answer(
                200,
                &[("content-type", "application/json")],
                body(n).replace("SELF", own).as_bytes(),
            ))
        })
        .await;
        let _ = own.set(server.uri());
        server
    }

    /// A server that answers every request with `reply`.
    pub async fn always(reply: Vec<u8>) -> RawServer {
        RawServer::start(move |_, _| Reply::Bytes(reply.clone())).await
    }

    /// `http://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RawRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// How many requests were received.
    pub fn count(&self) -> usize {
        *self.count.borrow()
    }

    /// Waits until at least `n` requests were received.
    pub async fn wait_for_requests(&self, n: usize) {
        let mut count = self.count.clone();
        let _ = count.wait_for(|c| *c >= n).await;
    }
}

/// Serves one connection: request after request, until a reply closes it.
async fn serve(
    mut socket: TcpStream,
    script: Arc<Script>,
    recorded: Arc<Mutex<Vec<RawRequest>>>,
    count: Arc<watch::Sender<usize>>,
) {
    let mut buf = Vec::new();
    loop {
        let Some(request) = read_request(&mut socket, &mut buf).await else {
            return;
        };
        let n = {
            let mut r = recorded.lock().expect("lock");
            r.push(request.clone());
            r.len() - 1
        };
        count.send_modify(|c| *c += 1);
        match script(n, &request) {
            Reply::Bytes(bytes) => {
                let _ = socket.write_all(&bytes).await;
                let _ = socket.shutdown().await;
                return;
            }
            Reply::Hold => {
                std::future::pending::<()>().await;
            }
        }
    }
}

/// Reads one request (head, then a `Content-Length` body). `None` when the
/// connection ends first.
async fn read_request(socket: &mut TcpStream, buf: &mut Vec<u8>) -> Option<RawRequest> {
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buf.len() > 1 << 20 {
            return None;
        }
        let mut chunk = [0u8; 8192];
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let len = head
        .lines()
        .find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let mut chunk = [0u8; 8192];
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[head_end..head_end + len].to_vec();
    buf.drain(..head_end + len);
    Some(RawRequest { head, body })
}

/// An HTTP/1.1 answer: status line, the given headers, `Content-Length` of the
/// body unless `headers` sets one, then the body.
pub fn answer(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} X\r\n").into_bytes();
    let mut has_length = false;
    for (name, value) in headers {
        has_length |= name.eq_ignore_ascii_case("content-length");
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    if !has_length {
        out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"connection: close\r\n\r\n");
    out.extend_from_slice(body);
    out
}

/// A JSON token answer.
pub fn token_answer(
    token: &str,
    expires_in: serde_json::Value,
    refresh_in: Option<u64>,
) -> Vec<u8> {
    let mut body = serde_json::json!({
        "token_type": "Bearer",
        "access_token": token,
        "expires_in": expires_in,
    });
    if let Some(r) = refresh_in {
        body["refresh_in"] = r.into();
    }
    answer(
        200,
        &[("content-type", "application/json")],
        body.to_string().as_bytes(),
    )
}
