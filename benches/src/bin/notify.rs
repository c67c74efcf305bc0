//! Notifications per second (design section 6): POSTs of a `commsNotifications`
//! body through the notify `Receiver` (axum handler, token checks on, the same
//! token every time) beside a bare axum handler that only parses the JSON.
//! Bar: at least 0.8x the bare rate. Also: what a token seen for the first
//! time costs (one signature check), measured in-process.
//!
//! ```text
//! cargo run --release -p graph-bench --bin notify -- [--posts N] [--concurrency N] [--reps N] [--block N]
//! ```
//!
//! Defaults: 20000 POSTs per side per run, 64 in flight, 5 runs, the sides
//! alternating in blocks of 1000 POSTs. The server (both routes, the key
//! endpoint and the task draining the receiver's events) runs on its own
//! thread and single-threaded runtime; the client on the main thread's, so
//! each has one core. The body is the documentation's playPrompt completion
//! (graph-facts 9.2), so every POST also records an operation completion.
//! Reported: each run's rates, and the median of the runs' ratios
//! (receiver / bare), the figure held against the bar.

use std::rc::Rc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::{get, post};
use graph_bench::{BoxError, median};
use graph_runtime::notify::{Receiver, axum_handler};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents};
use serde_json::{Value, json};

const APP_ID: &str = "6d6a2b8e-4c1f-4a55-9a1e-0b7e0c2f1a11";
const KID: &str = "bench-key";

/// The documentation's playPrompt completion (graph-facts 9.2).
const BODY: &str = r##"{
  "@odata.type": "#microsoft.graph.commsNotifications",
  "value": [
    {
      "@odata.type": "#microsoft.graph.commsNotification",
      "changeType": "deleted",
      "resourceUrl": "/communications/calls/57DAB8B1894C409AB240BD8BEAE78896/operations/0FE0623FD62842EDB4BD8AC290072CC5",
      "resourceData": {
        "@odata.type": "#microsoft.graph.playPromptOperation",
        "@odata.id": "/communications/calls/57DAB8B1894C409AB240BD8BEAE78896/operations/0FE0623FD62842EDB4BD8AC290072CC5",
        "@odata.etag": "W/\"54451\"",
        "resultInfo": {
          "@odata.type": "#microsoft.graph.resultInfo",
          "code": 200,
          "subcode": 0,
          "message": "Action completed successfully."
        },
        "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c",
        "status": "completed"
      }
    }
  ]
}"##;

struct Config {
    posts: usize,
    concurrency: usize,
    reps: usize,
    block: usize,
}

fn parse_args() -> Result<Config, BoxError> {
    let mut cfg = Config {
        posts: 20_000,
        concurrency: 64,
        reps: 5,
        block: 1_000,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--posts" => cfg.posts = value()?.parse()?,
            "--concurrency" => cfg.concurrency = value()?.parse()?,
            "--reps" => cfg.reps = value()?.parse()?,
            "--block" => cfg.block = value()?.parse()?,
            "--bench" => {}
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if cfg.posts == 0 || cfg.concurrency == 0 || cfg.reps == 0 || cfg.block == 0 {
        return Err("posts, concurrency, reps and block must be at least 1".into());
    }
    Ok(cfg)
}

fn b64(bytes: &[u8]) -> String {
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

struct Keys(RsaKeyPair);

impl Keys {
    fn load() -> Result<Self, BoxError> {
        // The public test key of graph-runtime's tests.
        let der = include_bytes!("../../../graph-runtime/tests/keys/key_a.pk8");
        Ok(Keys(
            RsaKeyPair::from_pkcs8(der).map_err(|e| format!("{e}"))?,
        ))
    }

    fn jwks(&self) -> Value {
        let public = RsaPublicKeyComponents::<Vec<u8>>::from(self.0.public());
        json!({"keys": [{"kty": "RSA", "use": "sig", "kid": KID, "n": b64(&public.n), "e": b64(&public.e)}]})
    }

    /// A token as Microsoft's are shaped (about 1 KB), `nonce` making it unique.
    fn token(&self, nonce: usize) -> Result<String, BoxError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs();
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": KID, "x5t": KID});
        let claims = json!({
            "iss": "https://api.botframework.com",
            "aud": APP_ID,
            "tid": "4ac0e6b1-7d2e-4f0f-9c4a-1e2b3c4d5e6f",
            "iat": now, "nbf": now - 300, "exp": now + 3600,
            "serviceurl": "https://pma-prod-euno-01.plat.skype.com:6448/",
            "nonce": nonce,
        });
        let signed = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let mut sig = vec![0; self.0.public().modulus_len()];
        self.0
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signed.as_bytes(),
                &mut sig,
            )
            .map_err(|e| format!("{e}"))?;
        Ok(format!("{signed}.{}", b64(&sig)))
    }
}

/// The bare handler: parse the JSON, answer 202.
async fn bare(body: Bytes) -> StatusCode {
    match serde_json::from_slice::<Value>(&body) {
        Ok(_) => StatusCode::ACCEPTED,
        Err(_) => StatusCode::BAD_REQUEST,
    }
}

/// Starts the server thread: `/bare`, `/receiver`, `/config`, `/keys`.
fn start_server(jwks: Value) -> Result<(String, Receiver), BoxError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let base = format!("http://{}", listener.local_addr()?);
    let receiver = Receiver::builder()
        .app_id(APP_ID)
        .openid_config_url(format!("{base}/config"))
        .build()?;
    let config =
        json!({"issuer": "https://api.botframework.com", "jwks_uri": format!("{base}/keys")});
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let served = receiver.clone();
    std::thread::Builder::new()
        .name("notify-bench-server".into())
        .spawn(move || {
            rt.block_on(async move {
                // A bot consumes its events: drain them here, on the server's core.
                let mut events = served.events();
                tokio::spawn(async move { while events.next().await.is_some() {} });
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(e) => return eprintln!("bench server: {e}"),
                };
                let app = axum::Router::new()
                    .route("/bare", post(bare))
                    .route("/receiver", post(axum_handler))
                    .with_state(served)
                    .route("/config", get(move || async move { axum::Json(config) }))
                    .route("/keys", get(move || async move { axum::Json(jwks) }));
                if let Err(e) = axum::serve(listener, app).await {
                    eprintln!("bench server: {e}");
                }
            })
        })?;
    Ok((base, receiver))
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Receiver,
    Bare,
}

async fn run(
    http: &Rc<reqwest::Client>,
    url: &Rc<str>,
    token: &Rc<str>,
    posts: usize,
    concurrency: usize,
) -> Result<f64, BoxError> {
    let start = Instant::now();
    let next = Rc::new(std::cell::Cell::new(0usize));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency.min(posts) {
        let (http, url, token, next) = (
            Rc::clone(http),
            Rc::clone(url),
            Rc::clone(token),
            Rc::clone(&next),
        );
        tasks.spawn_local(async move {
            loop {
                let n = next.get();
                if n >= posts {
                    return Ok::<(), BoxError>(());
                }
                next.set(n + 1);
                let answer = http
                    .post(&*url)
                    .header("content-type", "application/json")
                    .header("authorization", format!("Bearer {token}"))
                    .body(BODY)
                    .send()
                    .await?;
                if answer.status() != 202 {
                    return Err(format!("{url}: status {}", answer.status()).into());
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(posts as f64 / start.elapsed().as_secs_f64())
}

/// In-process: `handle()` with `count` distinct first-seen tokens, then the
/// same POSTs with one repeated token; returns microseconds per POST of each.
async fn first_seen_cost(
    receiver: &Receiver,
    keys: &Keys,
    count: usize,
) -> Result<(f64, f64), BoxError> {
    let tokens: Vec<String> = (0..count)
        .map(|i| keys.token(1_000_000 + i))
        .collect::<Result<_, _>>()?;
    let request = |token: &str| {
        http::Request::builder()
            .method("POST")
            .header("authorization", format!("Bearer {token}"))
            .body(Bytes::from_static(BODY.as_bytes()))
    };
    let mut drain = receiver.events();
    // Fetch the keys first: not part of a token's cost.
    let warm = receiver.handle(request(&keys.token(0)?)?).await;
    if warm.status() != 202 {
        return Err(format!("warm-up: {}", warm.status()).into());
    }
    let start = Instant::now();
    for token in &tokens {
        let answer = receiver.handle(request(token)?).await;
        if answer.status() != 202 {
            return Err(format!("first-seen token: {}", answer.status()).into());
        }
    }
    let fresh = start.elapsed().as_secs_f64() * 1e6 / count as f64;
    let start = Instant::now();
    for _ in 0..count {
        let answer = receiver.handle(request(&tokens[0])?).await;
        if answer.status() != 202 {
            return Err(format!("repeated token: {}", answer.status()).into());
        }
    }
    let repeated = start.elapsed().as_secs_f64() * 1e6 / count as f64;
    let start = Instant::now();
    for _ in 0..count {
        std::hint::black_box(serde_json::from_slice::<Value>(std::hint::black_box(
            BODY.as_bytes(),
        ))?);
    }
    let bare = start.elapsed().as_secs_f64() * 1e6 / count as f64;
    println!("in-process: the bare handler's JSON parse {bare:.1} us/POST");
    while tokio::time::timeout(Duration::ZERO, drain.next())
        .await
        .is_ok_and(|e| e.is_some())
    {}
    Ok((fresh, repeated))
}

fn main() -> Result<(), BoxError> {
    let cfg = parse_args()?;
    let keys = Keys::load()?;
    let (base, _served) = start_server(keys.jwks())?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = Rc::new(reqwest::Client::builder().build()?);
        let token: Rc<str> = keys.token(0)?.into();
        let receiver_url: Rc<str> = format!("{base}/receiver").into();
        let bare_url: Rc<str> = format!("{base}/bare").into();
        // Warm up both sides (and the key cache).
        run(&http, &receiver_url, &token, 2_000, cfg.concurrency).await?;
        run(&http, &bare_url, &token, 2_000, cfg.concurrency).await?;
        println!(
            "notify: {} POSTs per side per run, {} in flight, blocks of {}, {} runs",
            cfg.posts, cfg.concurrency, cfg.block, cfg.reps
        );
        let mut ratios = Vec::new();
        for rep in 1..=cfg.reps {
            let mut time = [0.0f64; 2];
            let mut done = 0;
            while done < cfg.posts {
                let n = cfg.block.min(cfg.posts - done);
                for side in [Side::Receiver, Side::Bare] {
                    let url = if side == Side::Receiver { &receiver_url } else { &bare_url };
                    let rate = run(&http, url, &token, n, cfg.concurrency).await?;
                    time[side as usize] += n as f64 / rate;
                }
                done += n;
            }
            let ours = cfg.posts as f64 / time[0];
            let bare = cfg.posts as f64 / time[1];
            println!("run {rep}: receiver {ours:>8.0}/s   bare axum {bare:>8.0}/s   ratio {:.3}", ours / bare);
            ratios.push(ours / bare);
        }
        let ratio = median(&mut ratios);
        println!(
            "median ratio (receiver / bare): {ratio:.3}  (bar >= 0.80: {})",
            if ratio >= 0.8 { "met" } else { "NOT met" }
        );

        // The first-seen token, in-process (no HTTP): one RS256 check each.
        let local_receiver = Receiver::builder()
            .app_id(APP_ID)
            .openid_config_url(format!("{base}/config"))
            .build()?;
        let (fresh, repeated) = first_seen_cost(&local_receiver, &keys, 500).await?;
        println!(
            "in-process handle(): first-seen token {fresh:.1} us/POST, repeated token {repeated:.1} us/POST \
             (a first-seen token costs {:.1} us more: one signature check)",
            fresh - repeated
        );
        Ok::<(), BoxError>(())
    })
}
