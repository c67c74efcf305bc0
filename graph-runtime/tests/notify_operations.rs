//! `Operations::wait`: completions before and after the wait, none (timeout),
//! failures with resultInfo, and a thousand at once in random order.

mod notify_support;

use std::time::Duration;

use graph_runtime::comms::{CommsOperation, OperationStatus, PlayPromptOperation, ResultInfo};
use graph_runtime::notify::{InMemoryOperationStore, OperationKey, OperationStore};
use notify_support::*;

fn running(id: Option<&str>, client_context: Option<&str>) -> PlayPromptOperation {
    PlayPromptOperation {
        id: id.map(str::to_owned),
        client_context: client_context.map(str::to_owned),
        status: Some(OperationStatus::Running),
        ..PlayPromptOperation::default()
    }
}

const OP: &str = "0fe0623f-d628-42ed-b4bd-8ac290072cc5";
const LONG: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_final_answer_needs_no_notification() {
    let server = key_server().await;
    let ops = receiver(&server).operations();
    let done = PlayPromptOperation {
        status: Some(OperationStatus::Completed),
        ..running(Some(OP), None)
    };
    assert_eq!(
        ops.wait(&done, Duration::ZERO).await.unwrap().status,
        Some(OperationStatus::Completed)
    );
    let failed = CommsOperation {
        status: Some(OperationStatus::Failed),
        result_info: Some(ResultInfo {
            code: Some(500),
            subcode: Some(7000),
            message: Some("m".into()),
        }),
        ..CommsOperation::default()
    };
    let error = ops.wait(&failed, Duration::ZERO).await.unwrap_err();
    assert!(error.is_failed() && !error.is_timeout());
    assert_eq!(error.result_info().and_then(|r| r.subcode), Some(7000));
}

#[tokio::test]
async fn a_completion_before_the_wait_counts() {
    let server = key_server().await;
    let receiver = receiver(&server);
    let body = batch(vec![completed("c", OP, "completed", Some("ctx-1"), 200, 0)]);
    assert_eq!(post(&receiver, &token(|_| {}), &body).await, 202);
    // Matched by id, across case and dashes; the id kept from the request.
    let done = receiver
        .operations()
        .wait(&running(Some(OP), Some("other")), LONG)
        .await
        .unwrap();
    assert_eq!(done.status, Some(OperationStatus::Completed));
    assert_eq!(done.client_context.as_deref(), Some("ctx-1"));
    // A second wait on the same operation also ends.
    let again = receiver
        .operations()
        .wait(&running(Some(&OP.to_uppercase()), None), LONG)
        .await;
    assert!(again.is_ok());
}

#[tokio::test]
async fn a_completion_after_the_wait_ends_it_and_every_other_wait() {
    let server = key_server().await;
    let receiver = receiver(&server);
    let ops = receiver.operations();
    let waits: Vec<_> = (0..3)
        .map(|_| {
            let ops = ops.clone();
            tokio::spawn(async move { ops.wait(&running(Some(OP), None), LONG).await })
        })
        .collect();
    tokio::task::yield_now().await;
    let body = batch(vec![completed("c", OP, "completed", None, 200, 0)]);
    assert_eq!(post(&receiver, &token(|_| {}), &body).await, 202);
    for wait in waits {
        let op = wait.await.unwrap().unwrap();
        assert_eq!(op.id.as_deref(), Some(OP));
    }
}

#[tokio::test]
async fn client_context_matches_only_an_operation_without_id() {
    let server = key_server().await;
    let receiver = receiver(&server);
    let body = batch(vec![completed("c", OP, "completed", Some("ctx-7"), 200, 0)]);
    assert_eq!(post(&receiver, &token(|_| {}), &body).await, 202);
    let ops = receiver.operations();
    assert!(ops.wait(&running(None, Some("ctx-7")), LONG).await.is_ok());
    // An operation with another id and the same clientContext is not this one.
    let other = running(Some("11111111-2222-3333-4444-555555555555"), Some("ctx-7"));
    tokio::time::pause();
    assert!(ops.wait(&other, LONG).await.unwrap_err().is_timeout());
}

#[tokio::test(start_paused = true)]
async fn no_completion_is_a_timeout() {
    let server = key_server().await;
    let ops = receiver(&server).operations();
    let error = ops
        .wait(&running(Some(OP), None), Duration::from_secs(60))
        .await
        .unwrap_err();
    assert!(error.is_timeout());
    assert!(error.result_info().is_none());
    assert!(error.to_string().contains(OP), "{error}");
    // Nothing to match by at all.
    let error = ops.wait(&running(None, None), LONG).await.unwrap_err();
    assert!(!error.is_timeout() && !error.is_failed());
}

#[tokio::test]
async fn a_failed_completion_is_an_error_with_result_info() {
    let server = key_server().await;
    let receiver = receiver(&server);
    let body = batch(vec![completed("c", OP, "failed", None, 400, 8508)]);
    assert_eq!(post(&receiver, &token(|_| {}), &body).await, 202);
    let error = receiver
        .operations()
        .wait(&running(Some(OP), None), LONG)
        .await
        .unwrap_err();
    assert!(error.is_failed());
    let info = error.result_info().unwrap();
    assert_eq!((info.code, info.subcode), (Some(400), Some(8508)));
    assert!(error.to_string().contains("8508"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_waits_resolve_in_any_order() {
    let server = key_server().await;
    let receiver = receiver(&server);
    let ops = receiver.operations();
    let ids: Vec<String> = (0..1000)
        .map(|i| format!("{i:08x}-0000-4000-8000-{i:012x}"))
        .collect();
    let waits: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let ops = ops.clone();
            // Half by id, half (without id) by clientContext.
            let op = if i % 2 == 0 {
                running(Some(id), None)
            } else {
                running(None, Some(&format!("ctx-{i}")))
            };
            tokio::spawn(async move { (i, ops.wait(&op, LONG).await) })
        })
        .collect();
    let mut order: Vec<usize> = (0..1000).collect();
    fastrand::Rng::with_seed(12).shuffle(&mut order);
    let t = token(|_| {});
    for chunk in order.chunks(7) {
        let items = chunk
            .iter()
            .map(|&i| {
                let status = if i % 3 == 0 { "failed" } else { "completed" };
                completed(
                    "c",
                    &ids[i],
                    status,
                    Some(&format!("ctx-{i}")),
                    200,
                    i as i32,
                )
            })
            .collect();
        assert_eq!(post(&receiver, &t, &batch(items)).await, 202);
    }
    for wait in waits {
        let (i, outcome) = wait.await.unwrap();
        let subcode = match &outcome {
            Ok(op) => op.result_info.as_ref().and_then(|r| r.subcode),
            Err(e) => e.result_info().and_then(|r| r.subcode),
        };
        assert_eq!(
            subcode,
            Some(i as i32),
            "wait {i} got another operation's completion"
        );
        assert_eq!(outcome.is_err(), i % 3 == 0, "wait {i}");
    }
}

#[tokio::test(start_paused = true)]
async fn unclaimed_completions_expire_and_memory_stays_bounded() {
    let store = InMemoryOperationStore::new(Duration::from_secs(300), 100);
    let op = |i: usize| CommsOperation {
        id: Some(format!("op-{i}")),
        status: Some(OperationStatus::Completed),
        ..CommsOperation::default()
    };
    for i in 0..1000 {
        store
            .complete(vec![OperationKey::id(&format!("op-{i}"))], op(i))
            .await;
    }
    assert_eq!(store.len(), 100, "bounded by capacity");
    // The newest are kept.
    let kept = tokio::time::timeout(
        Duration::from_millis(1),
        store.wait(OperationKey::id("op-999")),
    )
    .await;
    assert!(kept.is_ok());
    tokio::time::advance(Duration::from_secs(299)).await;
    store.complete(vec![OperationKey::id("late")], op(0)).await;
    assert_eq!(
        store.len(),
        101 - 1,
        "nothing expired before 5 minutes, the oldest gave way"
    );
    tokio::time::advance(Duration::from_secs(2)).await;
    store.complete(vec![OperationKey::id("later")], op(0)).await;
    assert_eq!(store.len(), 2, "expired after 5 minutes");
    // Abandoned waits free their slots.
    for i in 0..50 {
        let _ = tokio::time::timeout(
            Duration::from_secs(1),
            store.wait(OperationKey::id(&format!("nope-{i}"))),
        )
        .await;
    }
    assert_eq!(store.waiting(), 0);
}

#[test]
fn keys_ignore_case_and_dashes() {
    assert_eq!(
        OperationKey::id(OP),
        OperationKey::id("0FE0623FD62842EDB4BD8AC290072CC5")
    );
    assert_ne!(OperationKey::id("abc"), OperationKey::client_context("abc"));
}
