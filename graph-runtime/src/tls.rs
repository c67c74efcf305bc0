//! TLS and the built-in HTTP client: rustls with `ring` and the platform's
//! certificate verifier, HTTP/2, no automatic redirects.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::error::GraphError;

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

/// The built-in HTTP client: rustls with `ring` and the platform verifier, HTTP/2,
/// no automatic redirects, the given connect timeout.
pub(crate) fn default_http_client(
    connect_timeout: Duration,
) -> Result<reqwest::Client, GraphError> {
    let tls = tls_config().map_err(|e| {
        GraphError::config(format!(
            "TLS could not be set up (no system root certificates?): {e}"
        ))
    })?;
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .tls_backend_preconfigured(tls);
    if connect_timeout != Duration::MAX {
        builder = builder.connect_timeout(connect_timeout);
    }
    builder
        .build()
        .map_err(|e| GraphError::config(format!("the HTTP client could not be built: {e}")))
}
