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
#[allow(unused_qualifications)]
impl ::graph_runtime::GraphAction for MuteParticipant {
    type Response = MuteParticipantOperation;
    const METHOD: ::graph_runtime::__private::Method = ::graph_runtime::__private::Method::POST;
    const PATH: &'static str = "/communications/calls/<callId>/participants/<participantId>/mute";
    const IDEMPOTENT: bool = false;
    #[inline]
    fn write_request(&self, req: &mut ::graph_runtime::__private::RequestWriter) {
        req.lit("/communications/calls/");
        <String as ::graph_runtime::PathValue>::write_path(
            &self.call_id,
            req,
            "callId",
            false,
        );
        req.lit("/participants/");
        <String as ::graph_runtime::PathValue>::write_path(
            &self.participant_id,
            req,
            "participantId",
            false,
        );
        req.lit("/mute");
        req.json_object();
        <String as ::graph_runtime::BodyProperty>::write_opt_property(
            &self.client_context,
            req,
            "clientContext",
        );
    }
}
/// The answer of [`MuteParticipant`]: the status, the headers and the body.
#[allow(dead_code)]
pub type MuteParticipantResponse = ::graph_runtime::Response<MuteParticipantOperation>;
#[allow(unused_qualifications)]
impl MuteParticipant {
    /// Sends this action through `client` and reads the answer:
    /// `action.send(&client).await` is a
    /// `Result<MuteParticipantResponse, GraphError>`;
    /// the same call as `client.send(&action)`. The request is written
    /// here, so the future borrows the client only.
    #[allow(dead_code)]
    #[inline]
    pub fn send<'c>(
        &self,
        client: &'c ::graph_runtime::GraphClient,
    ) -> ::graph_runtime::SendFuture<'c, MuteParticipantOperation> {
        ::graph_runtime::__private::send(
            client,
            self,
            <MuteParticipantOperation as ::graph_runtime::ResponseBody>::from_body,
        )
    }
}
