//! An application that installs its own rustls provider before using this crate
//! keeps it: building `GraphClient`s (and their built-in HTTP client) does not
//! replace the process default, and the application's reqwest clients use it.
//! Its own process, so the provider installed here is the first.

use std::sync::Arc;

use graph_runtime::GraphClient;

#[test]
fn an_installed_provider_is_kept() {
    // The application's choice: ring restricted to one cipher suite, which is
    // how this test tells it apart from the default ring provider.
    let mut own = rustls::crypto::ring::default_provider();
    own.cipher_suites.truncate(1);
    let suite = own.cipher_suites[0].suite();
    own.install_default()
        .expect("the first provider of the process");
    let installed = rustls::crypto::CryptoProvider::get_default()
        .expect("installed")
        .clone();

    let _graph = GraphClient::builder()
        .bearer_token("t")
        .build()
        .expect("graph client");
    let _app = reqwest::Client::new();

    let now = rustls::crypto::CryptoProvider::get_default().expect("still installed");
    assert!(Arc::ptr_eq(now, &installed), "the provider was replaced");
    assert_eq!(now.cipher_suites.len(), 1);
    assert_eq!(now.cipher_suites[0].suite(), suite);
}
