//! A program's own `reqwest::Client::new()` works beside a `GraphClient`.
//!
//! This crate turns on reqwest's `rustls-no-provider`; without a process-wide
//! rustls provider, `reqwest::Client::new()` panics ("No rustls crypto provider is
//! configured"). Its own process, so no other test installs a provider first.

use graph_runtime::GraphClient;

#[test]
fn reqwest_client_new_works_beside_a_graph_client() {
    // Nothing installed a provider yet in this process.
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    let graph = GraphClient::builder()
        .bearer_token("t")
        // A reqwest client built for the builder, after `builder()` ran.
        .http_client(
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("the application's client for http_client"),
        )
        .build()
        .expect("graph client");
    let _built_in = GraphClient::builder()
        .bearer_token("t")
        .build()
        .expect("graph client with the built-in HTTP client");
    // The application's own clients, elsewhere in the program.
    let _plain = reqwest::Client::new();
    let _built = reqwest::Client::builder()
        .build()
        .expect("the application's client");
    let provider = rustls::crypto::CryptoProvider::get_default().expect("a process provider");
    assert!(!provider.cipher_suites.is_empty());
    assert_eq!(graph.base_url(), "https://graph.microsoft.com");
}
