//! A loopback HTTP/1.1 server answering the mute request with the documented
//! response: on its own thread and its own single-threaded tokio runtime
//! ([`Server::start`]), or as a task of the caller's runtime
//! ([`Server::spawn_here`]).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::BoxError;

/// One request the server saw while recording.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The method.
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// Header names and values, as received (Authorization included: loopback
    /// bench token only).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

#[derive(Default)]
struct State {
    recording: AtomicBool,
    seen: Mutex<Vec<Seen>>,
}

/// The running server. It stops when the process ends.
pub struct Server {
    addr: SocketAddr,
    state: Arc<State>,
}

impl Server {
    /// Starts the server on `127.0.0.1:0` on a new thread.
    pub fn start() -> Result<Self, BoxError> {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let state = Arc::new(State::default());
        let app_state = Arc::clone(&state);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name("bench-server".into())
            .spawn(move || {
                rt.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(std_listener) {
                        Ok(l) => l,
                        Err(e) => return eprintln!("bench server: {e}"),
                    };
                    let app = router(app_state);
                    if let Err(e) = axum::serve(listener, app).await {
                        eprintln!("bench server: {e}");
                    }
                })
            })?;
        Ok(Server { addr, state })
    }

    /// Starts the server on `127.0.0.1:0` as a task of the current tokio runtime
    /// (which must be running): the server shares the clients' runtime, as in a
    /// program whose `#[tokio::main]` serves and calls.
    pub fn spawn_here() -> Result<Self, BoxError> {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let listener = tokio::net::TcpListener::from_std(std_listener)?;
        let state = Arc::new(State::default());
        let app = router(Arc::clone(&state));
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("bench server: {e}");
            }
        });
        Ok(Server { addr, state })
    }

    /// `http://127.0.0.1:port`, the service root without version.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Records the requests received from now on.
    pub fn record(&self, on: bool) {
        self.state.recording.store(on, Ordering::SeqCst);
    }

    /// Takes the recorded requests.
    pub fn take_seen(&self) -> Vec<Seen> {
        match self.state.seen.lock() {
            Ok(mut seen) => std::mem::take(&mut *seen),
            Err(_) => Vec::new(),
        }
    }
}

fn router(state: Arc<State>) -> axum::Router {
    axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let state = Arc::clone(&state);
            async move { answer(&state, method, uri, headers, body) }
        },
    )
}

fn answer(state: &State, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    if state.recording.load(Ordering::Relaxed)
        && let Ok(mut seen) = state.seen.lock()
    {
        seen.push(Seen {
            method: method.to_string(),
            uri: uri.to_string(),
            headers: headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: body.to_vec(),
        });
    }
    if method != Method::POST || !uri.path().ends_with("/mute") {
        return (StatusCode::NOT_FOUND, "not the mute action").into_response();
    }
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::LOCATION, crate::MUTE_LOCATION),
        ],
        crate::MUTE_RESPONSE,
    )
        .into_response()
}
