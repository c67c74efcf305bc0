//! The emulated service's state: calls, their participants and operations.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::comms::{
    Call, CallDirection, CallState, Identity, IdentitySet, InvitationParticipantInfo,
    MediaDirection, MediaStream, Modality, OperationStatus, Participant, ParticipantInfo,
    ResultInfo,
};

use super::reply::Reply;

/// The id the emulated bot application has when the call names no source.
pub(crate) const BOT_APP_ID: &str = "00000000-0000-0000-0000-0000000b0700";

/// Everything the service holds.
#[derive(Debug, Default)]
pub(crate) struct Store {
    calls: HashMap<String, CallRecord>,
    next_seq: u64,
}

/// One call.
#[derive(Debug)]
pub(crate) struct CallRecord {
    seq: u64,
    pub(crate) call: Call,
    pub(crate) participants: Vec<Participant>,
    operations: HashMap<String, Value>,
    next_source_id: u32,
}

/// Where answers point to: the service root and the request's API version.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub(crate) base_url: &'a str,
    pub(crate) version: &'a str,
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
            .unwrap_or_else(|| IdentitySet::application(Identity::new(BOT_APP_ID, "Emulated bot")));
        let mut record = CallRecord {
            seq: self.next_seq,
            call: Call::default(),
            participants: Vec::new(),
            operations: HashMap::new(),
            next_source_id: 1,
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
        record.id().to_owned()
    }

    pub(crate) fn delete_call(&mut self, id: &str) -> Option<CallRecord> {
        self.calls.remove(id)
    }
}

impl CallRecord {
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
        Ok(())
    }

    pub(crate) fn operation(&self, id: &str) -> Option<&Value> {
        self.operations.get(id)
    }

    /// Records a completed operation of `kind` and answers it with `status`
    /// and a `Location` to the operation.
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
