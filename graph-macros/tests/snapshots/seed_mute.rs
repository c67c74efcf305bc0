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
    #[inline]
    fn write_request(&self, req: &mut ::graph_runtime::__private::RequestWriter) {
        req.lit("/communications/calls/");
        req.param("callId", &self.call_id, false);
        req.lit("/participants/");
        req.param("participantId", &self.participant_id, false);
        req.lit("/mute");
        req.json_object();
        req.json_opt_field("clientContext", &self.client_context);
    }
}
/// The answer of [`MuteParticipant`]: the status, the headers and the body.
#[allow(dead_code)]
pub type MuteParticipantResponse = ::graph_runtime::Response<MuteParticipantOperation>;
impl MuteParticipant {
    /// Sends this action through `client` and reads the answer:
    /// `action.send(&client).await` is a
    /// `Result<MuteParticipantResponse, GraphError>`;
    /// the same call as `client.send(&action)`.
    #[allow(dead_code)]
    #[inline]
    pub fn send<'__a>(
        &'__a self,
        client: &'__a ::graph_runtime::GraphClient,
    ) -> ::graph_runtime::SendFuture<'__a, MuteParticipantOperation> {
        client.send(self)
    }
}
