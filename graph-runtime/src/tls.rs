//! TLS and the built-in HTTP client: rustls with `ring` and the platform's
//! certificate verifier, HTTP/2, no automatic redirects.
//!
//! Our TLS choice stays ours, and does not break the application's:
//! - the built-in client is configured with `ring` explicitly
//!   (`tls_backend_preconfigured`), whatever the process default is;
//! - this crate turns on reqwest's `rustls-no-provider`, and reqwest is one crate
//!   per program, so `reqwest::Client::new()` elsewhere in the program would
//!   panic ("No rustls crypto provider is configured") when nothing else gave it
//!   a provider. [`ensure_process_provider`] installs `ring` as the process
//!   default only when none is installed, so an application that installs its
//!   own provider first keeps it.

use std::sync::{Arc, Once, OnceLock};
use std::time::Duration;

use crate::error::GraphError;

/// Installs `ring` as the process's default rustls provider when none is
/// installed yet (once per process), so that `reqwest::Client::new()` in the
/// application works beside this crate. A provider the application installed
/// first is kept: `install_default` refuses to replace it, and that refusal is
/// ignored. Called by `GraphClient::builder()` and by every built-in client.
pub(crate) fn ensure_process_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Err: another thread installed one first; theirs stays.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
    });
}

/// The rustls configuration: the `ring` provider and the platform's verifier,
/// built once per process.
fn tls_config() -> Result<rustls::ClientConfig, String> {
    static CONFIG: OnceLock<Result<rustls::ClientConfig, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            use rustls_platform_verifier::BuilderVerifierExt as _;
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let mut config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .with_platform_verifier()
                .map_err(|e| e.to_string())?
                .with_no_client_auth();
            config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
            Ok(config)
        })
        .clone()
}

/// The built-in HTTP client of a `GraphClient`: rustls with `ring` and the
/// platform verifier, HTTP/2, no automatic redirects, no retries of its own, the
/// given connect timeout.
pub(crate) fn default_http_client(
    connect_timeout: Duration,
) -> Result<reqwest::Client, GraphError> {
    // reqwest's default policy clones every request (headers, URI, body) before
    // sending it, to resend it after an HTTP/2 refusal; with no retry left
    // (`max_retries_per_request(0)`; `never()` alone still clones) it makes no
    // copy. The pipeline resends those refusals itself
    // (`retry::is_protocol_nack`), for every HTTP client.
    build(base_builder(connect_timeout)?.retry(reqwest::retry::never().max_retries_per_request(0)))
}

/// The built-in HTTP client for requests outside the call pipeline (tokens,
/// signing keys, the emulator's callbacks): as [`default_http_client`], but
/// reqwest's default retries stay on, since no pipeline resends the HTTP/2
/// refusals of these requests.
pub(crate) fn standalone_http_client(
    connect_timeout: Duration,
) -> Result<reqwest::Client, GraphError> {
    build(base_builder(connect_timeout)?)
}

/// The settings both built-in clients share.
fn base_builder(connect_timeout: Duration) -> Result<reqwest::ClientBuilder, GraphError> {
    ensure_process_provider();
    let tls = tls_config().map_err(|e| {
        GraphError::config(format!(
            "TLS could not be set up (no system root certificates?): {e}"
        ))
    })?;
    let builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .tls_backend_preconfigured(tls);
    Ok(if connect_timeout == Duration::MAX {
        builder
    } else {
        builder.connect_timeout(connect_timeout)
    })
}

fn build(builder: reqwest::ClientBuilder) -> Result<reqwest::Client, GraphError> {
    builder
        .build()
        .map_err(|e| GraphError::config(format!("the HTTP client could not be built: {e}")))
}
