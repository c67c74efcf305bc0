//! The emulated service's state: calls, their participants and operations.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::comms::{
    Call, CallDirection, CallState, Identity, IdentitySet, InvitationParticipantInfo,
    MediaDirection, MediaStream, Modality, OperationStatus, Participant, ParticipantInfo,
    ResultInfo,
};

use super::callbacks::{self, Outgoing};
use super::reply::Reply;

/// The id the emulated bot application has when the call names no source.
pub(crate) const BOT_APP_ID: &str = "00000000-0000-0000-0000-0000000b0700";

/// Everything the service holds.
#[derive(Debug, Default)]
pub(crate) struct Store {
    calls: HashMap<String, CallRecord>,
    next_seq: u64,
    /// The bot's app id: the source of the calls it places.
    pub(crate) app_id: String,
    /// Where incoming calls ring the bot.
    pub(crate) bot_callback: Option<String>,
    /// Notifications of calls no longer held (hung up).
    outbox: Vec<Outgoing>,
}

/// One call.
#[derive(Debug)]
pub(crate) struct CallRecord {
    seq: u64,
    pub(crate) call: Call,
    pub(crate) participants: Vec<Participant>,
    operations: HashMap<String, Value>,
    next_source_id: u32,
    /// Notifications this call's changes produced, not yet sent.
    outbox: Vec<Outgoing>,
}

/// Where answers point to: the service root and the request's API version.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub(crate) base_url: &'a str,
    pub(crate) version: &'a str,
    /// `Some`: operations answer `running` and complete after this long, by
    /// notification. `None`: they complete at once.
    pub(crate) operation_delay: Option<Duration>,
}

impl Ctx<'_> {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/{}{path}", self.base_url, self.version)
    }
}

fn new_id() -> String {
    crate::id::uuid_v4()
}

impl Store {
    /// An empty service for the bot `app_id`.
    pub(crate) fn new(app_id: String, bot_callback: Option<String>) -> Self {
        Store {
            app_id,
            bot_callback,
            ..Store::default()
        }
    }

    /// Takes every notification produced since the last call.
    pub(crate) fn take_outbox(&mut self) -> Vec<Outgoing> {
        let mut all = std::mem::take(&mut self.outbox);
        let mut records: Vec<&mut CallRecord> = self.calls.values_mut().collect();
        records.sort_by_key(|r| r.seq);
        for record in records {
            all.append(&mut record.outbox);
        }
        all
    }

    pub(crate) fn call(&self, id: &str) -> Option<&CallRecord> {
        self.calls.get(id)
    }

    pub(crate) fn call_mut(&mut self, id: &str) -> Result<&mut CallRecord, Reply> {
        self.calls
            .get_mut(id)
            .ok_or_else(|| Reply::not_found("call", id))
    }

    /// Calls in creation order.
    pub(crate) fn calls(&self) -> Vec<&CallRecord> {
        let mut calls: Vec<_> = self.calls.values().collect();
        calls.sort_by_key(|c| c.seq);
        calls
    }

    /// Creates a call: the bot joins as a participant, each target is another.
    /// Answers the call as created (`establishing`); the stored call is
    /// `established` at once, as if the establishment notification had arrived.
    pub(crate) fn create_call(&mut self, mut call: Call) -> &mut CallRecord {
        let id = new_id();
        let bot_identity = call
            .source
            .as_ref()
            .and_then(|s| s.identity.clone())
            .unwrap_or_else(|| {
                IdentitySet::application(Identity::new(self.app_id.clone(), "Emulated bot"))
            });
        let mut record = CallRecord {
            seq: self.next_seq,
            call: Call::default(),
            participants: Vec::new(),
            operations: HashMap::new(),
            next_source_id: 1,
            outbox: Vec::new(),
        };
        self.next_seq += 1;
        let bot = record.add_participant(Some(bot_identity.clone()), None);
        for target in call.targets.iter().flatten() {
            record.add_participant(target.identity.clone(), target.endpoint_type.clone());
        }
        call.odata_type = Some(Call::ODATA_TYPE.into());
        call.id = Some(id.clone());
        call.state = Some(CallState::Establishing);
        call.direction = Some(CallDirection::Outgoing);
        call.call_chain_id.get_or_insert_with(new_id);
        call.my_participant_id = Some(bot);
        call.source = Some(ParticipantInfo::new(bot_identity));
        record.call = call;
        self.calls.entry(id).or_insert(record)
    }

    /// An incoming peer-to-peer call from `caller` to the bot, waiting to be
    /// answered, rejected or redirected.
    pub(crate) fn incoming_call(&mut self, caller: IdentitySet) -> String {
        let bot_callback = self.bot_callback.clone();
        let record = self.create_call(Call::default());
        let bot = record.call.source.take().and_then(|s| s.identity);
        record.call.targets = bot.map(|b| vec![InvitationParticipantInfo::new(b)]);
        let caller_id = record.add_participant(Some(caller.clone()), None);
        // The caller first, as the service lists them.
        record.participants.rotate_right(1);
        record.call.state = Some(CallState::Incoming);
        record.call.direction = Some(CallDirection::Incoming);
        record.call.source = Some(ParticipantInfo {
            participant_id: Some(caller_id),
            ..ParticipantInfo::new(caller)
        });
        // Graph rings the bot at its calling webhook.
        if let Some(url) = bot_callback {
            record.call.callback_uri = Some(url);
            record.notify_call("created");
        }
        record.id().to_owned()
    }

    /// Removes a call (hang up); the bot hears `deleted` with state `terminated`.
    pub(crate) fn delete_call(&mut self, id: &str) -> Option<CallRecord> {
        let mut record = self.calls.remove(id)?;
        record.call.state = Some(CallState::Terminated);
        record.notify_call("deleted");
        self.outbox.append(&mut record.outbox);
        Some(record)
    }
}

impl CallRecord {
    /// Queues a notification to the call's callback URI, if it has one.
    fn notify(&mut self, notification: Value) {
        if let Some(url) = self.call.callback_uri.clone() {
            self.outbox.push(Outgoing {
                url: Some(url),
                notification,
                delay: None,
                finish: None,
            });
        }
    }

    /// Tells the bot about the call (`created`, `updated` or `deleted`).
    pub(crate) fn notify_call(&mut self, change: &str) {
        let notification = callbacks::call_changed(change, &self.call);
        self.notify(notification);
    }

    /// Tells the bot about these participants (a roster update).
    pub(crate) fn notify_roster(&mut self, ids: Option<&[String]>) {
        let changed: Vec<Participant> = self
            .participants
            .iter()
            .filter(|p| ids.is_none_or(|ids| p.id.as_ref().is_some_and(|id| ids.contains(id))))
            .cloned()
            .collect();
        let notification = callbacks::roster(self.id(), &changed);
        self.notify(notification);
    }

    /// Replaces an operation's state (a delayed operation finishing).
    pub(crate) fn set_operation(&mut self, id: &str, operation: Value) {
        let mut operation = operation;
        if let Some(object) = operation.as_object_mut() {
            object.remove("@odata.id");
        }
        self.operations.insert(id.to_owned(), operation);
    }

    /// Adds a participant with an audio stream; returns its id.
    pub(crate) fn add_participant(
        &mut self,
        identity: Option<IdentitySet>,
        endpoint_type: Option<crate::comms::EndpointType>,
    ) -> String {
        let id = new_id();
        let source_id = self.next_source_id;
        self.next_source_id += 1;
        self.participants.push(Participant {
            id: Some(id.clone()),
            info: Some(ParticipantInfo {
                endpoint_type,
                ..ParticipantInfo::new(identity.unwrap_or_default())
            }),
            is_muted: Some(false),
            is_in_lobby: Some(false),
            media_streams: Some(vec![MediaStream {
                odata_type: Some("#microsoft.graph.mediaStream".into()),
                media_type: Some(Modality::Audio),
                label: Some("main-audio".into()),
                source_id: Some(source_id.to_string()),
                direction: Some(MediaDirection::SendReceive),
                server_muted: Some(false),
            }]),
            metadata: None,
            recording_info: None,
        });
        id
    }

    pub(crate) fn invite(&mut self, invited: &[InvitationParticipantInfo]) {
        for info in invited {
            self.add_participant(info.identity.clone(), info.endpoint_type.clone());
        }
        self.notify_roster(None);
    }

    pub(crate) fn id(&self) -> &str {
        self.call.id.as_deref().unwrap_or_default()
    }

    pub(crate) fn participant_mut(&mut self, id: &str) -> Result<&mut Participant, Reply> {
        self.participants
            .iter_mut()
            .find(|p| p.id.as_deref() == Some(id))
            .ok_or_else(|| Reply::not_found("participant", id))
    }

    /// The bot's own participant.
    pub(crate) fn me_mut(&mut self) -> Result<&mut Participant, Reply> {
        let me = self.call.my_participant_id.clone().unwrap_or_default();
        self.participant_mut(&me)
    }

    pub(crate) fn remove_participant(&mut self, id: &str) -> Result<(), Reply> {
        let before = self.participants.len();
        self.participants.retain(|p| p.id.as_deref() != Some(id));
        if self.participants.len() == before {
            return Err(Reply::not_found("participant", id));
        }
        self.notify_roster(None);
        Ok(())
    }

    pub(crate) fn operation(&self, id: &str) -> Option<&Value> {
        self.operations.get(id)
    }

    /// Records an operation of `kind` and answers it with `status` and a
    /// `Location` to the operation: `completed` at once, or, with an
    /// operation delay, `running` and completed by a notification later.
    pub(crate) fn complete_operation(
        &mut self,
        ctx: &Ctx<'_>,
        status: u16,
        kind: &str,
        client_context: Option<String>,
        result_info: Option<ResultInfo>,
        extra: Map<String, Value>,
    ) -> Reply {
        let op_id = new_id();
        let mut body = json!({
            "@odata.type": kind,
            "id": op_id,
            "status": OperationStatus::Completed,
            "clientContext": client_context,
            "resultInfo": result_info,
        });
        if let Some(object) = body.as_object_mut() {
            object.extend(extra);
        }
        if let Some(delay) = ctx.operation_delay {
            let done = body.clone();
            if let Some(object) = body.as_object_mut() {
                object.insert("status".into(), json!(OperationStatus::Running));
                object.insert("resultInfo".into(), Value::Null);
            }
            self.outbox.push(Outgoing {
                url: self.call.callback_uri.clone(),
                notification: callbacks::operation_finished(self.id(), &op_id, done),
                delay: Some(delay),
                finish: Some((self.id().to_owned(), op_id.clone())),
            });
        }
        self.operations.insert(op_id.clone(), body.clone());
        let location = ctx.url(&format!(
            "/communications/calls/{}/operations/{op_id}",
            self.id()
        ));
        Reply::json(status, body).at(location)
    }
}

/// A resource as Graph writes it: its properties plus `@odata.type`.
pub(crate) fn typed<T: serde::Serialize>(value: &T, odata_type: &str) -> Value {
    let mut v = serde_json::to_value(value).unwrap_or(Value::Null);
    if let Some(object) = v.as_object_mut() {
        object.insert("@odata.type".into(), Value::String(odata_type.into()));
    }
    v
}
