//! The receiver's token checks: what it refuses (401, nothing delivered),
//! what it accepts, and how it fetches keys.

mod notify_support;

use graph_runtime::notify::{CallEvent, Receiver};
use notify_support::*;
use serde_json::{Value, json};
use std::time::Duration;

fn body() -> Value {
    batch(vec![call_update("c-1", "updated", "established")])
}

/// Posts with `authorization`, expects `expected`; then proves nothing was
/// delivered: the next event is the one of a good POST after it.
async fn expect(receiver: &Receiver, authorization: Option<String>, expected: u16, case: &str) {
    let status = post_raw(
        receiver,
        authorization.as_deref(),
        body().to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, expected, "{case}");
    let marker = batch(vec![call_update("marker", "updated", "established")]);
    assert_eq!(
        post(receiver, &token(|_| {}), &marker).await,
        202,
        "{case}: good token"
    );
    let mut events = receiver.events();
    let next = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        next.call_id(),
        Some("marker"),
        "{case}: a refused POST delivered an event"
    );
}

fn bearer(token: &str) -> Option<String> {
    Some(format!("Bearer {token}"))
}

#[tokio::test]
async fn refused_tokens_get_401_and_deliver_nothing() {
    let server = key_server().await;
    let receiver = receiver(&server);
    let a = key_a();
    let good = token(|_| {});
    let (h, p, s) = {
        let mut parts = good.split('.');
        (
            parts.next().unwrap().to_owned(),
            parts.next().unwrap().to_owned(),
            parts.next().unwrap().to_owned(),
        )
    };

    let mut cases: Vec<(&str, Option<String>)> = vec![
        (
            "expired",
            bearer(&token(|c| c["exp"] = json!(now() - 3600))),
        ),
        (
            "expired beyond the leeway",
            bearer(&token(|c| c["exp"] = json!(now() - 120))),
        ),
        (
            "not yet valid",
            bearer(&token(|c| c["nbf"] = json!(now() + 3600))),
        ),
        (
            "no exp",
            bearer(&token(|c| {
                c.as_object_mut().unwrap().remove("exp");
            })),
        ),
        (
            "wrong audience",
            bearer(&token(|c| c["aud"] = json!("someone-else"))),
        ),
        (
            "audience array without the app",
            bearer(&token(|c| c["aud"] = json!(["x", "y"]))),
        ),
        (
            "wrong issuer",
            bearer(&token(|c| {
                c["iss"] = json!("https://sts.windows.net/evil/")
            })),
        ),
        (
            "no tenant",
            bearer(&token(|c| {
                c.as_object_mut().unwrap().remove("tid");
            })),
        ),
        ("empty tenant", bearer(&token(|c| c["tid"] = json!("")))),
        (
            "alg none",
            bearer(&format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), p)),
        ),
        (
            "alg none with kid",
            bearer(&format!(
                "{}.{p}.{s}",
                b64(format!(r#"{{"alg":"none","kid":"{KID_A}"}}"#).as_bytes())
            )),
        ),
        (
            "alg RS512",
            bearer(&sign_with(
                &a,
                &json!({"alg": "RS512", "kid": KID_A}),
                &claims(),
            )),
        ),
        (
            "crit header",
            bearer(&sign_with(
                &a,
                &json!({"alg": "RS256", "kid": KID_A, "crit": ["exp"]}),
                &claims(),
            )),
        ),
        (
            "no kid",
            bearer(&sign_with(
                &a,
                &json!({"alg": "RS256", "typ": "JWT"}),
                &claims(),
            )),
        ),
        (
            "signed by another key",
            bearer(&sign_with(&key_b(), &header(KID_A), &claims())),
        ),
        (
            "a key of another type (EC)",
            bearer(&sign_with(&a, &header(KID_EC), &claims())),
        ),
        (
            "tampered payload",
            bearer(&format!(
                "{h}.{}.{s}",
                b64(claims()
                    .to_string()
                    .replace(TENANT, "other-tenant")
                    .as_bytes())
            )),
        ),
        (
            "tampered signature",
            bearer(&format!("{h}.{p}.{}", flip_last(&s))),
        ),
        ("truncated token", bearer(&format!("{h}.{p}"))),
        (
            "truncated signature",
            bearer(&format!("{h}.{p}.{}", &s[..s.len() / 2])),
        ),
        ("four segments", bearer(&format!("{good}.{s}"))),
        (
            "bad base64",
            bearer(&format!("{h}.{}.{s}", p.replace('A', "+"))),
        ),
        ("padded base64", bearer(&format!("{h}=.{p}.{s}"))),
        (
            "payload not JSON",
            bearer(&format!("{h}.{}.{s}", b64(b"not json"))),
        ),
        (
            "oversized token",
            bearer(&token(|c| c["pad"] = json!("x".repeat(10_000)))),
        ),
        ("missing Authorization header", None),
        ("Bearer missing", Some(good.clone())),
        ("Basic scheme", Some(format!("Basic {good}"))),
        ("empty bearer", Some("Bearer ".to_owned())),
    ];
    // HS256 signed with the public key as the HMAC secret (the classic
    // algorithm-confusion attack).
    let public = serde_json::to_vec(&jwk(&a, KID_A)).unwrap();
    let hs_signed = format!(
        "{}.{p}",
        b64(format!(r#"{{"alg":"HS256","kid":"{KID_A}"}}"#).as_bytes())
    );
    let mac = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &public),
        hs_signed.as_bytes(),
    );
    cases.push((
        "HS256 signed with the public key",
        bearer(&format!("{hs_signed}.{}", b64(mac.as_ref()))),
    ));
    let n = modulus(&a);
    let mac = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &n),
        hs_signed.as_bytes(),
    );
    cases.push((
        "HS256 signed with the modulus",
        bearer(&format!("{hs_signed}.{}", b64(mac.as_ref()))),
    ));
    assert!(cases.len() >= 15);
    for (case, authorization) in cases {
        expect(&receiver, authorization, 401, case).await;
    }
}

fn modulus(key: &ring::signature::RsaKeyPair) -> Vec<u8> {
    ring::signature::RsaPublicKeyComponents::<Vec<u8>>::from(key.public()).n
}

fn flip_last(sig: &str) -> String {
    let mut chars: Vec<char> = sig.chars().collect();
    let i = chars.len() - 3;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

#[tokio::test]
async fn unknown_kid_refetches_once_then_refuses_without_hammering() {
    let server = key_server().await;
    let receiver = receiver(&server);
    assert_eq!(post(&receiver, &token(|_| {}), &body()).await, 202);
    assert_eq!(key_fetches(&server).await, 1);
    // A token with an unknown kid: one refetch (the keys were fetched less
    // than a minute ago, so not even that)... and 401.
    for i in 0..25 {
        let t = sign_with(&key_a(), &header(&format!("random-{i}")), &claims());
        assert_eq!(post(&receiver, &t, &body()).await, 401, "kid random-{i}");
    }
    assert_eq!(
        key_fetches(&server).await,
        1,
        "random kids must not refetch within a minute"
    );
}

#[tokio::test]
async fn a_cold_cache_with_an_unknown_kid_fetches_once() {
    let server = key_server().await;
    let receiver = receiver(&server);
    let t = sign_with(&key_a(), &header("never-published"), &claims());
    assert_eq!(post(&receiver, &t, &body()).await, 401);
    assert_eq!(post(&receiver, &t, &body()).await, 401);
    assert_eq!(key_fetches(&server).await, 1);
}

#[tokio::test]
async fn accepted_tokens() {
    let server = key_server().await;
    let receiver = receiver(&server);
    let a = key_a();
    let cases = [
        ("botframework issuer", token(|_| {})),
        ("graph issuer", token(|c| c["iss"] = json!(GRAPH))),
        (
            "cty JWT header",
            sign_with(
                &a,
                &json!({"alg": "RS256", "typ": "JWT", "cty": "JWT", "kid": KID_A}),
                &claims(),
            ),
        ),
        (
            "audience array",
            token(|c| c["aud"] = json!(["other", APP])),
        ),
        (
            "no nbf",
            token(|c| {
                c.as_object_mut().unwrap().remove("nbf");
            }),
        ),
        (
            "expired within the leeway",
            token(|c| c["exp"] = json!(now() - 10)),
        ),
        (
            "fractional times",
            token(|c| c["exp"] = json!(now() as f64 + 3600.5)),
        ),
    ];
    let mut events = receiver.events();
    for (case, t) in cases {
        assert_eq!(post(&receiver, &t, &body()).await, 202, "{case}");
        // and repeated (served from the verified-token cache)
        assert_eq!(post(&receiver, &t, &body()).await, 202, "{case} again");
        for _ in 0..2 {
            let event = events.next().await.unwrap();
            assert_eq!(event.tenant_id(), Some(TENANT), "{case}");
            assert!(
                matches!(event, CallEvent::CallChanged { .. }),
                "{case}: {event:?}"
            );
        }
    }
    assert_eq!(key_fetches(&server).await, 1);
}

#[tokio::test]
async fn issuer_replaces_the_defaults_then_adds() {
    let server = key_server().await;
    let receiver = Receiver::builder()
        .app_id(APP)
        .openid_config_url(format!("{}/config", server.uri()))
        .issuer("https://issuer.one")
        .issuer("https://issuer.two")
        .build()
        .unwrap();
    for (iss, status) in [
        ("https://issuer.one", 202),
        ("https://issuer.two", 202),
        (BOTFRAMEWORK, 401),
        (GRAPH, 401),
    ] {
        let t = token(|c| c["iss"] = json!(iss));
        assert_eq!(post(&receiver, &t, &body()).await, status, "{iss}");
    }
}

#[tokio::test]
async fn keys_that_cannot_be_fetched_get_503_and_deliver_nothing() {
    // Nothing mounted: the configuration answers 404.
    let server = wiremock::MockServer::start().await;
    let receiver = receiver(&server);
    assert_eq!(post(&receiver, &token(|_| {}), &body()).await, 503);
    // A bad token is still 401: the token is refused before keys are needed.
    assert_eq!(
        post(&receiver, &token(|c| c["aud"] = json!("x")), &body()).await,
        401
    );
    assert_eq!(receiver.lost_events(), 0);
    let mut events = receiver.events();
    assert!(
        tokio::time::timeout(Duration::from_millis(50), events.next())
            .await
            .is_err(),
        "nothing is delivered"
    );
}

#[tokio::test]
async fn an_oversized_key_set_is_not_read() {
    let server = wiremock::MockServer::start().await;
    let filler: Vec<Value> = (0..4000)
        .map(|i| json!({"kty": "oct", "kid": format!("k{i}"), "k": "x".repeat(64)}))
        .collect();
    serve_keys(&server, json!({"keys": filler})).await;
    let receiver = receiver(&server);
    assert_eq!(post(&receiver, &token(|_| {}), &body()).await, 503);
}

#[tokio::test]
async fn a_bad_token_is_401_whatever_the_body() {
    let server = key_server().await;
    let receiver = receiver(&server);
    let big = vec![b'x'; 2 * 1024 * 1024];
    assert_eq!(post_raw(&receiver, None, big.clone()).await, 401);
    assert_eq!(post_raw(&receiver, Some("Bearer x.y.z"), big).await, 401);
    assert_eq!(post_raw(&receiver, None, b"{".to_vec()).await, 401);
    assert_eq!(
        key_fetches(&server).await,
        0,
        "a malformed token needs no keys"
    );
}

#[tokio::test]
async fn tokens_never_show_in_debug() {
    let server = key_server().await;
    let receiver = receiver(&server);
    let t = token(|_| {});
    assert_eq!(post(&receiver, &t, &body()).await, 202);
    let shown = format!("{receiver:?} {:?}", receiver.events().next().await);
    assert!(!shown.contains(&t[..40]), "{shown}");
}

#[tokio::test]
async fn a_rotated_key_is_found_by_one_refetch_once_the_keys_are_a_minute_old() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    // First the key set holds key A only; from the second fetch on, A and B.
    Mock::given(method("GET"))
        .and(path("/keys"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"keys": [jwk(&key_a(), KID_A)]})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    serve_keys(
        &server,
        json!({"keys": [jwk(&key_a(), KID_A), jwk(&key_b(), "key-b")]}),
    )
    .await;
    let receiver = receiver(&server);
    let rotated = sign_with(&key_b(), &header("key-b"), &claims());

    assert_eq!(post(&receiver, &token(|_| {}), &body()).await, 202);
    assert_eq!(
        post(&receiver, &rotated, &body()).await,
        401,
        "keys younger than a minute"
    );
    assert_eq!(key_fetches(&server).await, 1);

    // A minute later (the clock moved by hand, then running again for the fetch).
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(61)).await;
    tokio::time::resume();
    assert_eq!(
        post(&receiver, &rotated, &body()).await,
        202,
        "found by one refetch"
    );
    assert_eq!(key_fetches(&server).await, 2);
    // Unknown kids right after that refetch fetch nothing more.
    let unknown = sign_with(&key_b(), &header("key-c"), &claims());
    assert_eq!(post(&receiver, &unknown, &body()).await, 401);
    assert_eq!(key_fetches(&server).await, 2);
}

#[tokio::test]
async fn a_key_fetch_that_does_not_finish_in_time_is_a_503() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    // The configuration answers only after 3 s (real time).
    Mock::given(method("GET"))
        .and(path("/config"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"jwks_uri": format!("{}/keys", server.uri())}))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let receiver = receiver(&server);
    // With the clock paused, the runtime jumps to the fetch's 10 s deadline as
    // soon as it has nothing else to do: the bound is what ends the fetch.
    tokio::time::pause();
    assert_eq!(post(&receiver, &token(|_| {}), &body()).await, 503);
}
