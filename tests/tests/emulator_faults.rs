//! Throttling and outages injected into the emulator, recovered by the client's
//! retry policy. The clock is paused: `Retry-After` and backoff waits take no
//! real time, and the emulator runs on its own thread, unaffected. The client's
//! own timeouts are off: a paused runtime waiting on the network jumps to its
//! next timer, which would fire them at random (see `Emulator`'s docs).

use std::time::Duration;

use graph_runtime::GraphClient;
use graph_runtime::comms::*;
use graph_runtime::emulator::{Emulator, Fault, RecordedRequest};

mod common;
use common::{call_with, paused_clock_client};

/// A call with one person; returns its id and the person's participant id.
async fn call_with_one_person(client: &GraphClient) -> (String, String) {
    let (call_id, mut people) = call_with(client, 1).await;
    (call_id, people.remove(0))
}

fn mute_attempts(emulator: &Emulator) -> Vec<RecordedRequest> {
    emulator
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/mute"))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn throttled_mute_is_retried_after_retry_after() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = paused_clock_client(&emulator);
    let (call_id, john) = call_with_one_person(&client).await;

    emulator.inject(Fault::Throttle {
        count: 2,
        retry_after: Duration::from_secs(7),
    });
    let started = tokio::time::Instant::now();
    let op = MuteParticipant {
        call_id: call_id.clone(),
        participant_id: john.clone(),
        client_context: Some("c".into()),
    }
    .send(&client)
    .await
    .expect("mute succeeds after two 429s");
    let waited = started.elapsed();
    assert_eq!(op.status, Some(OperationStatus::Completed));
    // At least the two Retry-After waits. No upper bound: while the paused runtime
    // waits on the network, its clock may jump to other timers (the connection
    // pool's idle reaper).
    assert!(
        waited >= Duration::from_secs(14),
        "waited {waited:?}, Retry-After was 7 s twice"
    );

    let attempts = mute_attempts(&emulator);
    assert_eq!(attempts.len(), 3, "one try and two retries");
    let id = attempts[0]
        .header("client-request-id")
        .expect("client-request-id");
    for (n, attempt) in attempts.iter().enumerate() {
        assert_eq!(
            attempt.header("client-request-id"),
            Some(id),
            "same logical call"
        );
        assert_eq!(attempt.body, attempts[0].body, "byte-identical body");
        assert_eq!(attempt.header("content-type"), Some("application/json"));
        let retry = (n > 0).then(|| n.to_string());
        assert_eq!(
            attempt.header("retry-attempt"),
            retry.as_deref(),
            "attempt {n}"
        );
    }
    assert_eq!(
        emulator
            .participant(&call_id, &john)
            .and_then(|p| p.is_muted),
        Some(true)
    );
    emulator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn throttling_beyond_the_retries_ends_with_the_429() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = paused_clock_client(&emulator);
    let (call_id, john) = call_with_one_person(&client).await;

    emulator.inject(Fault::Throttle {
        count: 10,
        retry_after: Duration::from_secs(1),
    });
    let err = MuteParticipant {
        call_id: call_id.clone(),
        participant_id: john.clone(),
        client_context: None,
    }
    .send(&client)
    .await
    .expect_err("still throttled");
    assert_eq!(err.status(), Some(429));
    assert!(err.is_throttled());
    assert_eq!(err.code(), Some("TooManyRequests"));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(
        mute_attempts(&emulator).len(),
        4,
        "one try and the default 3 retries"
    );
    assert_eq!(
        emulator
            .participant(&call_id, &john)
            .and_then(|p| p.is_muted),
        Some(false)
    );
    emulator.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn unavailable_service_is_retried_with_backoff() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = paused_clock_client(&emulator);
    let (call_id, john) = call_with_one_person(&client).await;

    emulator.inject(Fault::Unavailable { count: 1 });
    // Not idempotent, yet retried: a 503 means the service refused the work.
    let invited = InviteParticipants {
        call_id: call_id.clone(),
        participants: vec![InvitationParticipantInfo::new(IdentitySet::user(
            Identity::new("b", "Bob"),
        ))],
        client_context: None,
    }
    .send(&client)
    .await
    .expect("invite succeeds after a 503");
    assert!(invited.is_finished());
    let attempts: Vec<_> = emulator
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/invite"))
        .collect();
    assert_eq!(attempts.len(), 2);
    assert_eq!(
        attempts[0].header("client-request-id"),
        attempts[1].header("client-request-id")
    );
    assert_eq!(
        emulator.participants(&call_id).map(|p| p.len()),
        Some(3),
        "invited once"
    );

    emulator.inject(Fault::Unavailable { count: 1 });
    let john_now = GetParticipant {
        call_id,
        participant_id: john,
    }
    .send(&client)
    .await
    .expect("get after a 503");
    assert_eq!(john_now.is_muted, Some(false));
    emulator.shutdown().await;
}
