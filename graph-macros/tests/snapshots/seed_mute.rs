/// Mute a participant in a group call.
///
/// `POST /communications/calls/<callId>/participants/<participantId>/mute`
pub struct MuteParticipant {
    pub call_id: String,
    pub participant_id: String,
    /// Unique client context string, at most 256 characters.
    pub client_context: Option<String>,
}
#[automatically_derived]
impl ::graph_runtime::GraphAction for MuteParticipant {
    type Response = MuteParticipantOperation;
    const METHOD: ::graph_runtime::__private::Method = ::graph_runtime::__private::Method::POST;
    const PATH: &'static str = "/communications/calls/<callId>/participants/<participantId>/mute";
    const IDEMPOTENT: bool = false;
    fn write_request(
        &self,
        req: &mut ::graph_runtime::__private::RequestWriter,
    ) -> ::core::result::Result<(), ::graph_runtime::GraphError> {
        req.lit("/communications/calls/")?;
        req.param("callId", &self.call_id, false)?;
        req.lit("/participants/")?;
        req.param("participantId", &self.participant_id, false)?;
        req.lit("/mute")?;
        #[derive(::graph_runtime::__private::serde::Serialize)]
        #[serde(crate = "::graph_runtime::__private::serde")]
        #[serde(rename_all = "camelCase")]
        struct __Body<'__a> {
            #[serde(skip_serializing_if = "::graph_runtime::__private::is_none")]
            client_context: &'__a Option<String>,
        }
        req.json_body(
            &__Body {
                client_context: &self.client_context,
            },
        )?;
        ::core::result::Result::Ok(())
    }
}
/// The answer of [`MuteParticipant`]: the status, the headers and the body.
#[allow(dead_code)]
pub type MuteParticipantResponse = ::graph_runtime::Response<MuteParticipantOperation>;
impl MuteParticipant {
    /// Sends this action through `client` and reads the answer; the same
    /// as `client.send(&action)`.
    #[allow(dead_code)]
    pub async fn send(
        &self,
        client: &::graph_runtime::GraphClient,
    ) -> ::core::result::Result<MuteParticipantResponse, ::graph_runtime::GraphError> {
        client.send(self).await
    }
}
