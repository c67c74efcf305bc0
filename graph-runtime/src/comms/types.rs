//! Calls, participants and the complex types they are built from.

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::macros::graph_struct;
use super::{
    CallDirection, CallState, EndpointType, MediaDirection, MediaState, Modality, RecordingStatus,
    ResultInfo, Tone,
};

/// A string that is a secret (a recording access token): `Debug` prints
/// `"<redacted>"`; [`SecretString::expose`] gives the value.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        SecretString(secret.into())
    }
    /// The secret itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

graph_struct! {
    /// An identity: a user, application, device or phone (`identity`).
    pub struct Identity {
        /// `#microsoft.graph.identity` when sent by [`Identity::new`].
        #[serde(rename = "@odata.type")]
        pub odata_type: Option<String>,
        /// The identity's id (an Entra object id for users and applications).
        pub id: Option<String>,
        /// The display name.
        pub display_name: Option<String>,
        /// The identity's tenant, when it is not the caller's.
        pub tenant_id: Option<String>,
    }
}

impl Identity {
    /// The OData type name.
    pub const ODATA_TYPE: &'static str = "#microsoft.graph.identity";

    /// An identity with its id and display name, typed `#microsoft.graph.identity`.
    pub fn new(id: impl Into<String>, display_name: impl Into<String>) -> Self {
        Identity {
            odata_type: Some(Self::ODATA_TYPE.into()),
            id: Some(id.into()),
            display_name: Some(display_name.into()),
            tenant_id: None,
        }
    }
}

graph_struct! {
    /// The identities of one party (`identitySet`); usually exactly one is set.
    pub struct IdentitySet {
        /// `#microsoft.graph.identitySet` when built by the constructors.
        #[serde(rename = "@odata.type")]
        pub odata_type: Option<String>,
        /// An application (a bot).
        pub application: Option<Identity>,
        /// An application instance (a resource account).
        pub application_instance: Option<Identity>,
        /// A device.
        pub device: Option<Identity>,
        /// A user.
        pub user: Option<Identity>,
        /// A phone (PSTN) identity; its id is the number.
        pub phone: Option<Identity>,
        /// A guest.
        pub guest: Option<Identity>,
        /// An encrypted identity.
        pub encrypted: Option<Identity>,
        /// An on-premises user.
        pub on_premises: Option<Identity>,
    }
}

impl IdentitySet {
    /// The OData type name.
    pub const ODATA_TYPE: &'static str = "#microsoft.graph.identitySet";

    /// A set holding one user.
    pub fn user(identity: Identity) -> Self {
        IdentitySet {
            odata_type: Some(Self::ODATA_TYPE.into()),
            user: Some(identity),
            ..IdentitySet::default()
        }
    }

    /// A set holding one application.
    pub fn application(identity: Identity) -> Self {
        IdentitySet {
            odata_type: Some(Self::ODATA_TYPE.into()),
            application: Some(identity),
            ..IdentitySet::default()
        }
    }

    /// The first identity set, in the order application, application instance,
    /// user, phone, guest, device, on-premises, encrypted.
    pub fn primary(&self) -> Option<&Identity> {
        [
            &self.application,
            &self.application_instance,
            &self.user,
            &self.phone,
            &self.guest,
            &self.device,
            &self.on_premises,
            &self.encrypted,
        ]
        .into_iter()
        .find_map(Option::as_ref)
    }
}

graph_struct! {
    /// A party of a call as the call sees it (`participantInfo`).
    pub struct ParticipantInfo {
        /// `#microsoft.graph.participantInfo` when sent.
        #[serde(rename = "@odata.type")]
        pub odata_type: Option<String>,
        /// Who the party is.
        pub identity: Option<IdentitySet>,
        /// The kind of endpoint.
        pub endpoint_type: Option<EndpointType>,
        /// The media region.
        pub region: Option<String>,
        /// The language culture string.
        pub language_id: Option<String>,
        /// The ISO 3166-1 alpha-2 country code.
        pub country_code: Option<String>,
        /// The participant id.
        pub participant_id: Option<String>,
    }
}

impl ParticipantInfo {
    /// The OData type name.
    pub const ODATA_TYPE: &'static str = "#microsoft.graph.participantInfo";

    /// A participant info for an identity set.
    pub fn new(identity: IdentitySet) -> Self {
        ParticipantInfo {
            odata_type: Some(Self::ODATA_TYPE.into()),
            identity: Some(identity),
            ..ParticipantInfo::default()
        }
    }
}

graph_struct! {
    /// A party to invite, call, redirect or transfer to (`invitationParticipantInfo`).
    pub struct InvitationParticipantInfo {
        /// `#microsoft.graph.invitationParticipantInfo` when built by
        /// [`InvitationParticipantInfo::new`].
        #[serde(rename = "@odata.type")]
        pub odata_type: Option<String>,
        /// Who to invite.
        pub identity: Option<IdentitySet>,
        /// The kind of endpoint.
        pub endpoint_type: Option<EndpointType>,
        /// The call this invitation replaces (a transfer from a peer-to-peer call).
        pub replaces_call_id: Option<String>,
        /// Hide the participant from the roster.
        pub hidden: Option<bool>,
        /// The participant id, when known.
        pub participant_id: Option<String>,
        /// Keep the participant out of the default audio routing group.
        pub remove_from_default_audio_routing_group: Option<bool>,
    }
}

impl InvitationParticipantInfo {
    /// The OData type name.
    pub const ODATA_TYPE: &'static str = "#microsoft.graph.invitationParticipantInfo";

    /// An invitation for an identity set.
    pub fn new(identity: IdentitySet) -> Self {
        InvitationParticipantInfo {
            odata_type: Some(Self::ODATA_TYPE.into()),
            identity: Some(identity),
            ..InvitationParticipantInfo::default()
        }
    }
}

graph_struct! {
    /// A media stream of a participant (`mediaStream`).
    pub struct MediaStream {
        /// `#microsoft.graph.mediaStream` in answers.
        #[serde(rename = "@odata.type")]
        pub odata_type: Option<String>,
        /// The media type.
        pub media_type: Option<Modality>,
        /// The stream's label (`main-audio`).
        pub label: Option<String>,
        /// The source id.
        pub source_id: Option<String>,
        /// The direction.
        pub direction: Option<MediaDirection>,
        /// Whether the server muted the stream.
        pub server_muted: Option<bool>,
    }
}

graph_struct! {
    /// A media file (`mediaInfo`).
    pub struct MediaInfo {
        /// `#microsoft.graph.mediaInfo` when built by [`MediaInfo::new`]; some
        /// documented requests leave it out.
        #[serde(rename = "@odata.type")]
        pub odata_type: Option<String>,
        /// Where the file is (`https`).
        pub uri: Option<String>,
        /// A unique id the service may cache the file under.
        pub resource_id: Option<String>,
    }
}

impl MediaInfo {
    /// The OData type name.
    pub const ODATA_TYPE: &'static str = "#microsoft.graph.mediaInfo";

    /// A typed media file at `uri`.
    pub fn new(uri: impl Into<String>) -> Self {
        MediaInfo {
            odata_type: Some(Self::ODATA_TYPE.into()),
            uri: Some(uri.into()),
            resource_id: None,
        }
    }
}

graph_struct! {
    /// A prompt that plays a media file (`mediaPrompt`), the only kind of
    /// `prompt` Graph defines.
    pub struct MediaPrompt {
        /// `#microsoft.graph.mediaPrompt`: the service needs it to know the
        /// prompt's kind; set by [`MediaPrompt::new`].
        #[serde(rename = "@odata.type")]
        pub odata_type: Option<String>,
        /// The file to play.
        pub media_info: Option<MediaInfo>,
    }
}

impl MediaPrompt {
    /// The OData type name.
    pub const ODATA_TYPE: &'static str = "#microsoft.graph.mediaPrompt";

    /// A prompt playing `media`.
    pub fn new(media: MediaInfo) -> Self {
        MediaPrompt {
            odata_type: Some(Self::ODATA_TYPE.into()),
            media_info: Some(media),
        }
    }
}

/// A prompt (`prompt`): Graph's only kind is [`MediaPrompt`].
pub type Prompt = MediaPrompt;

graph_struct! {
    /// Media hosted by the Graph service (`serviceHostedMediaConfig`): prompts,
    /// recording and DTMF, no real-time media access.
    pub struct ServiceHostedMediaConfig {
        /// Files to fetch ahead of playing them.
        pub pre_fetch_media: Option<Vec<MediaInfo>>,
        /// Keep the bot out of the default audio group.
        pub remove_from_default_audio_group: Option<bool>,
    }
}

graph_struct! {
    /// Media hosted by the application (`appHostedMediaConfig`): the bot handles
    /// real-time media with the media platform.
    pub struct AppHostedMediaConfig {
        /// The media session configuration blob from the media platform.
        pub blob: Option<String>,
        /// Keep the bot out of the default audio group.
        pub remove_from_default_audio_group: Option<bool>,
    }
}

/// Who hosts a call's media (`mediaConfig`), written with its `@odata.type`.
///
/// Read by `@odata.type` (any case, with or without `#`); without a type, a
/// `blob` means app-hosted, anything else service-hosted; an unknown type is
/// kept as [`MediaConfig::Other`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MediaConfig {
    /// `#microsoft.graph.serviceHostedMediaConfig`
    ServiceHosted(ServiceHostedMediaConfig),
    /// `#microsoft.graph.appHostedMediaConfig`
    AppHosted(AppHostedMediaConfig),
    /// A kind this crate does not know, kept as received.
    Other(serde_json::Value),
}

impl MediaConfig {
    /// The OData type name of service-hosted media.
    pub const SERVICE_HOSTED: &'static str = "#microsoft.graph.serviceHostedMediaConfig";
    /// The OData type name of app-hosted media.
    pub const APP_HOSTED: &'static str = "#microsoft.graph.appHostedMediaConfig";

    /// Service-hosted media with no options.
    pub fn service_hosted() -> Self {
        MediaConfig::ServiceHosted(ServiceHostedMediaConfig::default())
    }
}

/// `{"@odata.type": ..., ...inner}`
#[derive(Serialize)]
struct Tagged<'a, T> {
    #[serde(rename = "@odata.type")]
    odata_type: &'static str,
    #[serde(flatten)]
    inner: &'a T,
}

impl Serialize for MediaConfig {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            MediaConfig::ServiceHosted(inner) => Tagged {
                odata_type: Self::SERVICE_HOSTED,
                inner,
            }
            .serialize(serializer),
            MediaConfig::AppHosted(inner) => Tagged {
                odata_type: Self::APP_HOSTED,
                inner,
            }
            .serialize(serializer),
            MediaConfig::Other(value) => value.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for MediaConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let kind = value
            .get("@odata.type")
            .and_then(serde_json::Value::as_str)
            .map(|t| t.trim_start_matches('#').to_ascii_lowercase());
        let app = match kind.as_deref() {
            Some("microsoft.graph.apphostedmediaconfig") => true,
            Some("microsoft.graph.servicehostedmediaconfig") => false,
            Some(_) => return Ok(MediaConfig::Other(value)),
            None => value.get("blob").is_some(),
        };
        if app {
            serde_json::from_value(value)
                .map(MediaConfig::AppHosted)
                .map_err(D::Error::custom)
        } else {
            serde_json::from_value(value)
                .map(MediaConfig::ServiceHosted)
                .map_err(D::Error::custom)
        }
    }
}

graph_struct! {
    /// The chat of a meeting (`chatInfo`).
    pub struct ChatInfo {
        /// The chat thread id.
        pub thread_id: Option<String>,
        /// The message id.
        pub message_id: Option<String>,
        /// The reply chain message id.
        pub reply_chain_message_id: Option<String>,
    }
}

graph_struct! {
    /// A DTMF tone the bot received (`toneInfo`).
    pub struct ToneInfo {
        /// Increases with each tone.
        pub sequence_id: Option<i64>,
        /// The tone.
        pub tone: Option<Tone>,
    }
}

graph_struct! {
    /// The state of a call's media (`callMediaState`).
    pub struct CallMediaState {
        /// The audio state.
        pub audio: Option<MediaState>,
    }
}

graph_struct! {
    /// Who records and how (`recordingInfo`).
    pub struct RecordingInfo {
        /// Who started the recording.
        pub initiator: Option<IdentitySet>,
        /// The recording status.
        pub recording_status: Option<RecordingStatus>,
    }
}

graph_struct! {
    /// A call (`call`): created by the bot or delivered to it.
    ///
    /// To create one, set `callback_uri`, `targets` (or `meeting_info` and
    /// `chat_info`), `requested_modalities` and `media_config`, see
    /// [`CreateCall`](super::CreateCall). Properties this crate does not model
    /// (`meetingInfo`, `transcription`, `incomingContext`, `callOptions`) are kept
    /// as JSON.
    pub struct Call {
        /// `#microsoft.graph.call`, as the create-call example sends it.
        #[serde(rename = "@odata.type")]
        pub odata_type: Option<String>,
        /// The call id.
        pub id: Option<String>,
        /// The call's state.
        pub state: Option<CallState>,
        /// Who placed the call.
        pub direction: Option<CallDirection>,
        /// Where notifications for this call go (`https`).
        pub callback_uri: Option<String>,
        /// The id shared by all legs of the call.
        pub call_chain_id: Option<String>,
        /// The caller.
        pub source: Option<ParticipantInfo>,
        /// Who is called.
        pub targets: Option<Vec<InvitationParticipantInfo>>,
        /// The modalities asked for.
        pub requested_modalities: Option<Vec<Modality>>,
        /// The modalities in use.
        pub active_modalities: Option<Vec<Modality>>,
        /// Who hosts the media.
        pub media_config: Option<MediaConfig>,
        /// The state of the media.
        pub media_state: Option<CallMediaState>,
        /// The bot's own participant id.
        pub my_participant_id: Option<String>,
        /// The subject.
        pub subject: Option<String>,
        /// Ring timeout, 30 to 90 seconds.
        pub ringing_timeout_in_seconds: Option<i32>,
        /// Why the call ended or failed.
        pub result_info: Option<ResultInfo>,
        /// Who answered.
        pub answered_by: Option<ParticipantInfo>,
        /// The meeting chat.
        pub chat_info: Option<ChatInfo>,
        /// The meeting to join (one of several polymorphic kinds), as JSON.
        pub meeting_info: Option<serde_json::Value>,
        /// The tenant of the call.
        pub tenant_id: Option<String>,
        /// The last DTMF tone received.
        pub tone_info: Option<ToneInfo>,
        /// Transcription information, as JSON.
        pub transcription: Option<serde_json::Value>,
        /// Context of an incoming call, as JSON.
        pub incoming_context: Option<serde_json::Value>,
        /// Call options, as JSON.
        pub call_options: Option<serde_json::Value>,
    }
}

impl Call {
    /// The OData type name.
    pub const ODATA_TYPE: &'static str = "#microsoft.graph.call";
}

graph_struct! {
    /// A participant of a call (`participant`).
    pub struct Participant {
        /// The participant id.
        pub id: Option<String>,
        /// Who the participant is.
        pub info: Option<ParticipantInfo>,
        /// Whether the participant is (server) muted.
        pub is_muted: Option<bool>,
        /// Whether the participant waits in the lobby.
        pub is_in_lobby: Option<bool>,
        /// The participant's media streams.
        pub media_streams: Option<Vec<MediaStream>>,
        /// A blob of data the participant provided.
        pub metadata: Option<String>,
        /// The participant's recording information.
        pub recording_info: Option<RecordingInfo>,
    }
}

impl Participant {
    /// The OData type name.
    pub const ODATA_TYPE: &'static str = "#microsoft.graph.participant";
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn media_config_round_trips_by_odata_type() {
        let app: MediaConfig = serde_json::from_value(json!({
            "@odata.type": "#microsoft.graph.appHostedMediaConfig",
            "blob": "<blob>"
        }))
        .unwrap();
        assert!(matches!(&app, MediaConfig::AppHosted(c) if c.blob.as_deref() == Some("<blob>")));
        assert_eq!(
            serde_json::to_value(&app).unwrap(),
            json!({"@odata.type": "#microsoft.graph.appHostedMediaConfig", "blob": "<blob>"})
        );
        assert_eq!(
            serde_json::to_value(MediaConfig::service_hosted()).unwrap(),
            json!({"@odata.type": "#microsoft.graph.serviceHostedMediaConfig"})
        );
        let other: MediaConfig =
            serde_json::from_value(json!({"@odata.type": "#microsoft.graph.future", "x": 1}))
                .unwrap();
        assert!(matches!(other, MediaConfig::Other(_)));
        let untyped: MediaConfig = serde_json::from_value(json!({"blob": "b"})).unwrap();
        assert!(matches!(untyped, MediaConfig::AppHosted(_)));
    }

    #[test]
    fn secrets_do_not_reach_debug() {
        let s = SecretString::new("eyJ0eXAi");
        assert_eq!(format!("{s:?}"), "\"<redacted>\"");
        assert_eq!(s.expose(), "eyJ0eXAi");
    }

    #[test]
    fn participant_reads_nulls_and_unknown_properties() {
        let p: Participant = serde_json::from_value(json!({
            "@odata.type": "#microsoft.graph.participant",
            "info": {"identity": {"application": null, "user": {"id": "u", "displayName": null}}, "id": null},
            "mediaStreams": [{"mediaType": "Audio", "direction": "sendReceive", "serverMuted": false}],
            "isMuted": true,
            "futureProperty": {"a": 1},
            "metadata": null
        }))
        .unwrap();
        assert_eq!(p.is_muted, Some(true));
        let identity = p.info.and_then(|i| i.identity).unwrap();
        assert_eq!(identity.primary().and_then(|i| i.id.as_deref()), Some("u"));
        assert_eq!(
            p.media_streams.unwrap()[0].media_type,
            Some(Modality::Audio)
        );
    }
}
