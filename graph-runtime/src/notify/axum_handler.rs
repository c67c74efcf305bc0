//! The axum handler (cargo feature `axum`).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;

use super::{MAX_BODY_BYTES, Receiver};

/// An axum handler for a [`Receiver`] in the router's state (or reachable
/// from it with `FromRef`). Checks the token before it reads the body, and
/// reads at most [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES).
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use axum::routing::post;
/// use graph_runtime::notify::{Receiver, axum_handler};
///
/// let receiver = Receiver::builder().app_id("bot-app-id").build()?;
/// let app = axum::Router::new()
///     .route("/api/calls", post(axum_handler))
///     .with_state(receiver.clone());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3978").await?;
/// axum::serve(listener, app).await?;
/// # Ok(()) }
/// ```
pub async fn axum_handler(State(receiver): State<Receiver>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let tenant = match receiver.authenticate(&parts.headers).await {
        Ok(verified) => verified.tenant_id,
        Err(answer) => return into_axum(answer),
    };
    let declared_too_large = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|len| len > MAX_BODY_BYTES as u64);
    if declared_too_large {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(body) => body,
        // Over the limit (a chunked body, no Content-Length); or the
        // connection failed mid-body, and then nobody reads the answer.
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    into_axum(receiver.deliver(&tenant, &body).await)
}

fn into_axum(response: http::Response<bytes::Bytes>) -> Response {
    response.map(Body::from)
}
