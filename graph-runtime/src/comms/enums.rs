//! The string enums of cloud communications, all declared with one macro.

use super::macros::graph_enum;

graph_enum! {
    /// The status of a [`CommsOperation`](super::CommsOperation) (`operationStatus`).
    ///
    /// The docs list it in PascalCase, the resource pages in camelCase, and the
    /// examples answer both `completed` and `Running`: all read the same.
    pub enum OperationStatus {
        /// Not started yet: the outcome arrives later as a notification.
        NotStarted = "notStarted",
        /// Running: the outcome arrives later as a notification.
        Running = "running",
        /// Completed: no further notification follows.
        Completed = "completed",
        /// Failed (see `resultInfo`): no further notification follows.
        Failed = "failed",
    }
}

impl OperationStatus {
    /// Whether the operation has finished (`completed` or `failed`). The docs
    /// promise no further notification for a finished operation.
    pub fn is_terminal(&self) -> bool {
        matches!(self, OperationStatus::Completed | OperationStatus::Failed)
    }
}

graph_enum! {
    /// A kind of media (`modality`).
    pub enum Modality {
        /// The service does not know the modality.
        UnknownModality = "unknown",
        /// Audio.
        Audio = "audio",
        /// Video.
        Video = "video",
        /// Screen sharing carried as video.
        VideoBasedScreenSharing = "videoBasedScreenSharing",
        /// Data.
        Data = "data",
        /// Evolvable enumeration sentinel.
        UnknownFutureValue = "unknownFutureValue",
    }
}

graph_enum! {
    /// The state of a [`Call`](super::Call) (`callState`).
    pub enum CallState {
        /// An incoming call, not yet answered.
        Incoming = "incoming",
        /// Being set up.
        Establishing = "establishing",
        /// Connected.
        Established = "established",
        /// On hold.
        Hold = "hold",
        /// Being transferred.
        Transferring = "transferring",
        /// The transfer target accepted.
        TransferAccepted = "transferAccepted",
        /// Being redirected.
        Redirecting = "redirecting",
        /// Being torn down.
        Terminating = "terminating",
        /// Ended.
        Terminated = "terminated",
        /// Evolvable enumeration sentinel.
        UnknownFutureValue = "unknownFutureValue",
    }
}

graph_enum! {
    /// Who placed a call (`callDirection`).
    pub enum CallDirection {
        /// The call came to the bot.
        Incoming = "incoming",
        /// The bot placed the call.
        Outgoing = "outgoing",
    }
}

graph_enum! {
    /// The recording status a bot reports (`recordingStatus`).
    pub enum RecordingStatus {
        /// The service does not know the status.
        UnknownStatus = "unknown",
        /// Not recording.
        NotRecording = "notRecording",
        /// Recording.
        Recording = "recording",
        /// Recording failed.
        Failed = "failed",
        /// Evolvable enumeration sentinel.
        UnknownFutureValue = "unknownFutureValue",
    }
}

graph_enum! {
    /// A participant's screen sharing role (`screenSharingRole`).
    pub enum ScreenSharingRole {
        /// Sees the shared screen.
        Viewer = "viewer",
        /// Shares the screen.
        Sharer = "sharer",
    }
}

graph_enum! {
    /// Why a bot rejects an incoming call (`rejectReason`). The docs' table is
    /// PascalCase, their examples lowercase; both read the same.
    pub enum RejectReason {
        /// No reason given.
        None = "none",
        /// The bot is busy.
        Busy = "busy",
        /// The bot refuses the call.
        Forbidden = "forbidden",
        /// Evolvable enumeration sentinel.
        UnknownFutureValue = "unknownFutureValue",
    }
}

graph_enum! {
    /// A DTMF tone (`tone`), as reported in [`ToneInfo`](super::ToneInfo).
    pub enum Tone {
        /// 0
        Tone0 = "tone0",
        /// 1
        Tone1 = "tone1",
        /// 2
        Tone2 = "tone2",
        /// 3
        Tone3 = "tone3",
        /// 4
        Tone4 = "tone4",
        /// 5
        Tone5 = "tone5",
        /// 6
        Tone6 = "tone6",
        /// 7
        Tone7 = "tone7",
        /// 8
        Tone8 = "tone8",
        /// 9
        Tone9 = "tone9",
        /// *
        Star = "star",
        /// #
        Pound = "pound",
        /// A
        A = "a",
        /// B
        B = "b",
        /// C
        C = "c",
        /// D
        D = "d",
        /// Flash
        Flash = "flash",
    }
}

graph_enum! {
    /// The kind of endpoint a participant joins from (`endpointType`).
    pub enum EndpointType {
        /// Default.
        Default = "default",
        /// Voicemail.
        Voicemail = "voicemail",
        /// Skype for Business.
        SkypeForBusiness = "skypeForBusiness",
        /// Skype for Business VoIP phone.
        SkypeForBusinessVoipPhone = "skypeForBusinessVoipPhone",
        /// Evolvable enumeration sentinel.
        UnknownFutureValue = "unknownFutureValue",
    }
}

graph_enum! {
    /// The direction of a media stream (`mediaDirection`).
    pub enum MediaDirection {
        /// Neither sends nor receives.
        Inactive = "inactive",
        /// Sends only.
        SendOnly = "sendOnly",
        /// Receives only.
        ReceiveOnly = "receiveOnly",
        /// Sends and receives.
        SendReceive = "sendReceive",
    }
}

graph_enum! {
    /// Whether a call's media is flowing (`mediaState`).
    pub enum MediaState {
        /// Active.
        Active = "active",
        /// Inactive.
        Inactive = "inactive",
        /// Evolvable enumeration sentinel.
        UnknownFutureValue = "unknownFutureValue",
    }
}

graph_enum! {
    /// Why a recording ended (`recordCompletionReason`).
    pub enum RecordCompletionReason {
        /// Cancelled by cancelMediaProcessing.
        OperationCanceled = "operationCanceled",
        /// A stop tone was pressed.
        StopToneDetected = "stopToneDetected",
        /// The maximum duration was reached.
        MaxRecordDurationReached = "maxRecordDurationReached",
        /// Nothing was said before the initial silence timeout.
        InitialSilenceTimeout = "initialSilenceTimeout",
        /// Silence lasted past the maximum silence timeout.
        MaxSilenceTimeout = "maxSilenceTimeout",
        /// The prompt could not be played.
        PlayPromptFailed = "playPromptFailed",
        /// The beep could not be played.
        PlayBeepFailed = "playBeepFailed",
        /// No media arrived in time.
        MediaReceiveTimeout = "mediaReceiveTimeout",
        /// Another error.
        UnspecifiedError = "unspecifiedError",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_any_case_and_keeps_unknown_values() {
        for wire in ["completed", "Completed", "COMPLETED"] {
            let s: OperationStatus = serde_json::from_value(wire.into()).unwrap();
            assert_eq!(s, OperationStatus::Completed);
        }
        let s: OperationStatus = serde_json::from_str("\"paused\"").unwrap();
        assert_eq!(s, OperationStatus::Unknown("paused".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"paused\"");
        assert_eq!(
            serde_json::to_string(&OperationStatus::NotStarted).unwrap(),
            "\"notStarted\""
        );
        assert_eq!(
            serde_json::from_str::<CallState>("\"TransferAccepted\"").unwrap(),
            CallState::TransferAccepted
        );
        assert!(serde_json::from_str::<OperationStatus>("3").is_err());
    }

    #[test]
    fn terminal_statuses() {
        assert!(OperationStatus::Failed.is_terminal());
        assert!(!OperationStatus::from_wire("Running").is_terminal());
    }
}
