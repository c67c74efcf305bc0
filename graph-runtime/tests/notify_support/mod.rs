//! Fixtures for the notification tests: test keys, tokens signed in the test,
//! a wiremock stand-in for Microsoft's key endpoint, notification bodies.
#![allow(dead_code)]

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use graph_runtime::notify::Receiver;
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The bot's app id in these tests.
pub const APP: &str = "6d6a2b8e-4c1f-4a55-9a1e-0b7e0c2f1a11";
pub const TENANT: &str = "4ac0e6b1-7d2e-4f0f-9c4a-1e2b3c4d5e6f";
pub const BOTFRAMEWORK: &str = "https://api.botframework.com";
pub const GRAPH: &str = "https://graph.microsoft.com";
/// The kid of key A, published by the key server.
pub const KID_A: &str = "key-a";
/// A kid published for an EC key.
pub const KID_EC: &str = "key-ec";

/// Two 2048-bit RSA test keys (public test material, generated with openssl).
pub fn key_a() -> RsaKeyPair {
    RsaKeyPair::from_pkcs8(include_bytes!("../keys/key_a.pk8")).unwrap()
}
pub fn key_b() -> RsaKeyPair {
    RsaKeyPair::from_pkcs8(include_bytes!("../keys/key_b.pk8")).unwrap()
}

pub fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

pub fn jwk(key: &RsaKeyPair, kid: &str) -> Value {
    let public = RsaPublicKeyComponents::<Vec<u8>>::from(key.public());
    json!({"kty": "RSA", "use": "sig", "kid": kid, "n": b64(&public.n), "e": b64(&public.e)})
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Claims Microsoft would send: valid for an hour.
pub fn claims() -> Value {
    json!({
        "iss": BOTFRAMEWORK,
        "aud": APP,
        "tid": TENANT,
        "iat": now(),
        "nbf": now() - 300,
        "exp": now() + 3600,
        "serviceurl": "https://pma-prod-euno-01.plat.skype.com:6448/",
    })
}

pub fn header(kid: &str) -> Value {
    json!({"alg": "RS256", "typ": "JWT", "kid": kid, "x5t": kid})
}

/// `header.claims` signed with `key`.
pub fn sign_with(key: &RsaKeyPair, header: &Value, claims: &Value) -> String {
    let signed = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let mut sig = vec![0; key.public().modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        signed.as_bytes(),
        &mut sig,
    )
    .unwrap();
    format!("{signed}.{}", b64(&sig))
}

/// A good token: key A, default claims with `edit` applied.
pub fn token(edit: impl FnOnce(&mut Value)) -> String {
    let mut c = claims();
    edit(&mut c);
    sign_with(&key_a(), &header(KID_A), &c)
}

/// Serves `/config` (the OpenID configuration) and `/keys` (key A and an EC key).
pub async fn key_server() -> MockServer {
    let server = MockServer::start().await;
    serve_keys(
        &server,
        json!({"keys": [
            jwk(&key_a(), KID_A),
            {"kty": "EC", "use": "sig", "kid": KID_EC, "crv": "P-256",
             "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
             "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
        ]}),
    )
    .await;
    server
}

pub async fn serve_keys(server: &MockServer, jwks: Value) {
    Mock::given(method("GET"))
        .and(path("/config"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issuer": BOTFRAMEWORK,
            "jwks_uri": format!("{}/keys", server.uri()),
        })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/keys"))
        .respond_with(ResponseTemplate::new(200).set_body_json(jwks))
        .mount(server)
        .await;
}

/// How many times `/keys` was fetched.
pub async fn key_fetches(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/keys")
        .count()
}

pub fn receiver(server: &MockServer) -> Receiver {
    Receiver::builder()
        .app_id(APP)
        .openid_config_url(format!("{}/config", server.uri()))
        .build()
        .unwrap()
}

/// POSTs `body` with `Authorization: <authorization>`; the answer's status.
pub async fn post_raw(receiver: &Receiver, authorization: Option<&str>, body: Vec<u8>) -> u16 {
    let mut request = http::Request::builder()
        .method("POST")
        .uri("/api/calls")
        .header("content-type", "application/json");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let answer = receiver
        .handle(request.body(Bytes::from(body)).unwrap())
        .await;
    assert!(answer.body().is_empty(), "answers carry no body");
    answer.status().as_u16()
}

pub async fn post(receiver: &Receiver, token: &str, body: &Value) -> u16 {
    post_raw(
        receiver,
        Some(&format!("Bearer {token}")),
        body.to_string().into_bytes(),
    )
    .await
}

pub fn batch(items: Vec<Value>) -> Value {
    json!({"@odata.type": "#microsoft.graph.commsNotifications", "value": items})
}

/// An operation's completion notification, the id in the URL only uppercase
/// without dashes (as the docs show it).
pub fn completed(
    call: &str,
    op_id: &str,
    status: &str,
    client_context: Option<&str>,
    code: i32,
    subcode: i32,
) -> Value {
    let url_id: String = op_id
        .chars()
        .filter(|c| *c != '-')
        .collect::<String>()
        .to_uppercase();
    let url = format!("/communications/calls/{call}/operations/{url_id}");
    json!({
        "@odata.type": "#microsoft.graph.commsNotification",
        "changeType": "deleted",
        "resourceUrl": url,
        "resourceData": {
            "@odata.type": "#microsoft.graph.playPromptOperation",
            "@odata.id": url,
            "status": status,
            "clientContext": client_context,
            "resultInfo": {"code": code, "subcode": subcode, "message": format!("result {subcode}")},
        }
    })
}

pub fn call_update(call: &str, change: &str, state: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.commsNotification",
        "changeType": change,
        "resourceUrl": format!("/communications/calls/{call}"),
        "resourceData": {"@odata.type": "#microsoft.graph.call", "id": call, "state": state},
    })
}
