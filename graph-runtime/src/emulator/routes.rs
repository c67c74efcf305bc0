//! Request routing: which resource and action a path names, and what it does.

use http::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::comms::{
    Call, CallState, InvitationParticipantInfo, MediaPrompt, Modality, RecordCompletionReason,
    RecordingInfo, RecordingStatus, ResultInfo, ScreenSharingRole,
};

use super::reply::Reply;
use super::state::{Ctx, Store, typed};

/// Every body property any action takes; each action reads what it needs.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ActionBody {
    client_context: Option<String>,
    participants: Option<Vec<InvitationParticipantInfo>>,
    accepted_modalities: Option<Vec<Modality>>,
    prompts: Option<Vec<MediaPrompt>>,
    status: Option<RecordingStatus>,
    role: Option<ScreenSharingRole>,
    targets: Option<Vec<InvitationParticipantInfo>>,
    transfer_target: Option<InvitationParticipantInfo>,
    callback_uri: Option<String>,
}

/// The most a `clientContext` may hold, per the docs.
const MAX_CLIENT_CONTEXT: usize = 256;

fn parse<T: for<'de> Deserialize<'de> + Default>(body: &[u8]) -> Result<T, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|e| Reply::bad_request(format!("The request body is not valid: {e}")))
}

fn action_body(body: &[u8]) -> Result<ActionBody, Reply> {
    let parsed: ActionBody = parse(body)?;
    if parsed
        .client_context
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_CLIENT_CONTEXT)
    {
        return Err(Reply::bad_request(
            "clientContext is longer than 256 characters.",
        ));
    }
    if let Some(url) = &parsed.callback_uri {
        super::callbacks::check_callback(url).map_err(Reply::bad_request)?;
    }
    Ok(parsed)
}

/// Answers one authenticated request. `segments` follow the version segment.
pub(crate) fn dispatch(
    store: &mut Store,
    ctx: &Ctx<'_>,
    method: &Method,
    segments: &[String],
    query: &str,
    body: &[u8],
) -> Reply {
    route(store, ctx, method, segments, query, body).unwrap_or_else(|reply| reply)
}

fn route(
    store: &mut Store,
    ctx: &Ctx<'_>,
    method: &Method,
    segments: &[String],
    query: &str,
    body: &[u8],
) -> Result<Reply, Reply> {
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    let Some(rest) = segs.strip_prefix(&["communications", "calls"]) else {
        let first = segs.first().copied().unwrap_or_default();
        return Err(Reply::bad_request(format!(
            "Resource not found for the segment '{first}'."
        )));
    };
    match (rest, method) {
        ([], &Method::GET) => Ok(list_calls(store, ctx)),
        ([], &Method::POST) => create_call(store, ctx, body),
        ([call_id], &Method::GET) => {
            let record = store.call_mut(call_id)?;
            Ok(Reply::json(200, call_json(&record.call, ctx)))
        }
        ([call_id], &Method::DELETE) => match store.delete_call(call_id) {
            Some(_) => Ok(Reply::empty(204)),
            None => Err(Reply::not_found("call", call_id)),
        },
        ([call_id, "participants"], &Method::GET) => list_participants(store, ctx, call_id, query),
        ([call_id, "participants", "invite"], &Method::POST) => {
            let body = action_body(body)?;
            let invited = body.participants.unwrap_or_default();
            if invited.is_empty() {
                return Err(Reply::bad_request(
                    "participants must name at least one participant.",
                ));
            }
            let record = store.call_mut(call_id)?;
            record.invite(&invited);
            let mut extra = Map::new();
            extra.insert("participants".into(), json!(invited));
            Ok(record.complete_operation(
                ctx,
                200,
                "#microsoft.graph.inviteParticipantsOperation",
                body.client_context,
                None,
                extra,
            ))
        }
        ([call_id, "participants", participant_id], &Method::GET) => {
            let record = store.call_mut(call_id)?;
            let participant = record.participant_mut(participant_id)?;
            Ok(Reply::json(
                200,
                typed(participant, crate::comms::Participant::ODATA_TYPE),
            ))
        }
        ([call_id, "participants", participant_id], &Method::DELETE) => {
            store
                .call_mut(call_id)?
                .remove_participant(participant_id)?;
            Ok(Reply::empty(204))
        }
        ([call_id, "participants", participant_id, action], &Method::POST) => {
            participant_action(store, ctx, call_id, participant_id, action, body)
        }
        ([call_id, "operations", op_id], &Method::GET) => {
            let record = store.call_mut(call_id)?;
            record
                .operation(op_id)
                .map(|op| Reply::json(200, op.clone()))
                .ok_or_else(|| Reply::not_found("operation", op_id))
        }
        ([call_id, action], &Method::POST) => call_action(store, ctx, call_id, action, body),
        _ if rest.len() <= 5 => Err(Reply::error(
            405,
            "BadRequest",
            format!("The HTTP method '{method}' is not allowed for this resource."),
        )),
        _ => Err(Reply::bad_request("Resource not found for the path.")),
    }
}

/// `answer`, `microsoft.graph.answer` and `Answer` name the same action.
fn action_name(segment: &str) -> String {
    let bare = segment
        .get(..16)
        .filter(|p| p.eq_ignore_ascii_case("microsoft.graph."))
        .map_or(segment, |_| &segment[16..]);
    bare.to_ascii_lowercase()
}

fn participant_action(
    store: &mut Store,
    ctx: &Ctx<'_>,
    call_id: &str,
    participant_id: &str,
    action: &str,
    body: &[u8],
) -> Result<Reply, Reply> {
    let name = action_name(action);
    let (kind, status) = match name.as_str() {
        "mute" => ("#microsoft.graph.muteParticipantOperation", 200),
        "startholdmusic" => ("#microsoft.graph.startHoldMusicOperation", 202),
        "stopholdmusic" => ("#microsoft.graph.stopHoldMusicOperation", 202),
        _ => {
            return Err(Reply::bad_request(format!(
                "Resource not found for the segment '{action}'."
            )));
        }
    };
    let body = action_body(body)?;
    let record = store.call_mut(call_id)?;
    let participant = record.participant_mut(participant_id)?;
    if name == "mute" {
        participant.is_muted = Some(true);
        for stream in participant.media_streams.iter_mut().flatten() {
            if stream.media_type == Some(Modality::Audio) {
                stream.server_muted = Some(true);
            }
        }
        record.notify_roster(Some(&[participant_id.to_owned()]));
    }
    Ok(record.complete_operation(ctx, status, kind, body.client_context, None, Map::new()))
}

fn call_action(
    store: &mut Store,
    ctx: &Ctx<'_>,
    call_id: &str,
    action: &str,
    body: &[u8],
) -> Result<Reply, Reply> {
    let name = action_name(action);
    let known = [
        "answer",
        "reject",
        "redirect",
        "transfer",
        "keepalive",
        "playprompt",
        "recordresponse",
        "cancelmediaprocessing",
        "subscribetotone",
        "updaterecordingstatus",
        "mute",
        "unmute",
        "changescreensharingrole",
    ];
    if !known.contains(&name.as_str()) {
        return Err(Reply::bad_request(format!(
            "Resource not found for the segment '{action}'."
        )));
    }
    let body = action_body(body)?;
    let record = store.call_mut(call_id)?;
    let cc = body.client_context;
    let done = |code, subcode, message: &str| {
        Some(ResultInfo {
            code: Some(code),
            subcode: Some(subcode),
            message: Some(message.into()),
        })
    };
    Ok(match name.as_str() {
        "answer" => {
            record.call.state = Some(CallState::Established);
            record.call.active_modalities = body.accepted_modalities;
            if let Some(url) = body.callback_uri {
                record.call.callback_uri = Some(url);
            }
            record.notify_call("updated");
            Reply::empty(202)
        }
        "reject" | "redirect" => {
            if name == "redirect" && body.targets.as_ref().is_none_or(Vec::is_empty) {
                return Err(Reply::bad_request("targets must name at least one target."));
            }
            if record.call.state == Some(CallState::Incoming) {
                record.call.state = Some(CallState::Terminated);
                record.notify_call("deleted");
            }
            Reply::empty(202)
        }
        "transfer" => {
            if body.transfer_target.is_none() {
                return Err(Reply::bad_request("transferTarget is required."));
            }
            record.call.state = Some(CallState::Terminated);
            record.call.result_info = done(0, 7015, "GracefulTransferCompleted");
            record.notify_call("updated");
            Reply::empty(202)
        }
        "keepalive" => Reply::empty(200),
        "changescreensharingrole" => match body.role {
            Some(ScreenSharingRole::Viewer | ScreenSharingRole::Sharer) => Reply::empty(202),
            _ => return Err(Reply::bad_request("role must be 'viewer' or 'sharer'.")),
        },
        "mute" | "unmute" => {
            let muted = name == "mute";
            let me = record.me_mut()?;
            me.is_muted = Some(muted);
            let me = me.id.clone().unwrap_or_default();
            record.notify_roster(Some(&[me]));
            let kind = if muted {
                "#microsoft.graph.muteParticipantOperation"
            } else {
                "#microsoft.graph.unmuteParticipantOperation"
            };
            record.complete_operation(ctx, 200, kind, cc, None, Map::new())
        }
        "playprompt" => {
            if body.prompts.as_ref().is_none_or(Vec::is_empty) {
                return Err(Reply::bad_request("prompts must hold at least one prompt."));
            }
            let info = done(200, 0, "Action completed successfully.");
            record.complete_operation(
                ctx,
                200,
                "#microsoft.graph.playPromptOperation",
                cc,
                info,
                Map::new(),
            )
        }
        "recordresponse" => {
            let info = done(200, 8515, "Action completed, max record duration reached.");
            let mut extra = Map::new();
            let recording = crate::id::uuid_v4();
            extra.insert(
                "recordingLocation".into(),
                Value::String(format!("{}/recordings/{recording}", ctx.base_url)),
            );
            extra.insert(
                "recordingAccessToken".into(),
                Value::String(crate::id::uuid_v4()),
            );
            extra.insert(
                "completionReason".into(),
                json!(RecordCompletionReason::MaxRecordDurationReached),
            );
            record.complete_operation(
                ctx,
                200,
                "#microsoft.graph.recordOperation",
                cc,
                info,
                extra,
            )
        }
        "cancelmediaprocessing" => record.complete_operation(
            ctx,
            200,
            "#microsoft.graph.cancelMediaProcessingOperation",
            cc,
            None,
            Map::new(),
        ),
        "subscribetotone" => record.complete_operation(
            ctx,
            200,
            "#microsoft.graph.subscribeToToneOperation",
            cc,
            None,
            Map::new(),
        ),
        "updaterecordingstatus" => {
            let status = match body.status {
                Some(
                    s @ (RecordingStatus::NotRecording
                    | RecordingStatus::Recording
                    | RecordingStatus::Failed),
                ) => s,
                _ => {
                    return Err(Reply::bad_request(
                        "status must be 'notRecording', 'recording' or 'failed'.",
                    ));
                }
            };
            record.me_mut()?.recording_info = Some(RecordingInfo {
                initiator: None,
                recording_status: Some(status),
            });
            record.complete_operation(
                ctx,
                200,
                "#microsoft.graph.updateRecordingStatusOperation",
                cc,
                None,
                Map::new(),
            )
        }
        _ => {
            return Err(Reply::bad_request(format!(
                "Resource not found for the segment '{action}'."
            )));
        }
    })
}

fn create_call(store: &mut Store, ctx: &Ctx<'_>, body: &[u8]) -> Result<Reply, Reply> {
    let call: Call = parse(body)?;
    if call.targets.as_ref().is_none_or(Vec::is_empty) && call.meeting_info.is_none() {
        return Err(Reply::bad_request("A call needs targets or meetingInfo."));
    }
    if let Some(url) = &call.callback_uri {
        super::callbacks::check_callback(url).map_err(Reply::bad_request)?;
    }
    let record = store.create_call(call);
    let answer = call_json(&record.call, ctx);
    // The answer says `establishing`; the call is connected right after, and
    // the bot hears so.
    record.call.state = Some(CallState::Established);
    record.notify_call("updated");
    let location = ctx.url(&format!("/communications/calls/{}", record.id()));
    Ok(Reply::json(201, answer).at(location))
}

fn call_json(call: &Call, ctx: &Ctx<'_>) -> Value {
    let mut v = typed(call, Call::ODATA_TYPE);
    if let Some(object) = v.as_object_mut() {
        object.insert(
            "@odata.context".into(),
            Value::String(ctx.url("/$metadata#communications/calls/$entity")),
        );
    }
    v
}

fn list_calls(store: &Store, ctx: &Ctx<'_>) -> Reply {
    let value: Vec<Value> = store
        .calls()
        .into_iter()
        .map(|r| typed(&r.call, Call::ODATA_TYPE))
        .collect();
    Reply::json(
        200,
        json!({"@odata.context": ctx.url("/$metadata#communications/calls"), "value": value}),
    )
}

/// Lists participants, `$top` per page, following pages by `$skiptoken`.
fn list_participants(
    store: &Store,
    ctx: &Ctx<'_>,
    call_id: &str,
    query: &str,
) -> Result<Reply, Reply> {
    let record = store
        .call(call_id)
        .ok_or_else(|| Reply::not_found("call", call_id))?;
    let mut top = None;
    let mut skip = 0usize;
    for (name, value) in query_pairs(query) {
        let number = || {
            value
                .parse::<usize>()
                .map_err(|_| Reply::bad_request(format!("Invalid value '{value}' for {name}.")))
        };
        match name.as_str() {
            "$top" => top = Some(number()?.max(1)),
            "$skiptoken" => skip = number()?,
            _ => {}
        }
    }
    let all = &record.participants;
    let end = top.map_or(all.len(), |t| (skip + t).min(all.len()));
    let page: Vec<Value> = all
        .get(skip.min(end)..end)
        .unwrap_or_default()
        .iter()
        .map(|p| typed(p, crate::comms::Participant::ODATA_TYPE))
        .collect();
    let path = format!("/communications/calls/{call_id}/participants");
    let mut body = json!({
        "@odata.context": ctx.url(&format!("/$metadata#communications/calls('{call_id}')/participants")),
        "value": page,
    });
    if let (Some(top), true, Some(object)) = (top, end < all.len(), body.as_object_mut()) {
        object.insert(
            "@odata.nextLink".into(),
            Value::String(ctx.url(&format!("{path}?$top={top}&$skiptoken={end}"))),
        );
    }
    Ok(Reply::json(200, body))
}

fn query_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        (decode(name), decode(value))
    })
}
