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
        struct __Body<'__a>(&'__a MuteParticipant);
        impl ::graph_runtime::__private::serde::Serialize for __Body<'_> {
            fn serialize<__S>(
                &self,
                __serializer: __S,
            ) -> ::core::result::Result<__S::Ok, __S::Error>
            where
                __S: ::graph_runtime::__private::serde::Serializer,
            {
                let mut __state = ::graph_runtime::__private::serde::Serializer::serialize_struct(
                    __serializer,
                    "MuteParticipant",
                    1,
                )?;
                if ::core::option::Option::is_some(&self.0.client_context) {
                    ::graph_runtime::__private::serde::ser::SerializeStruct::serialize_field(
                        &mut __state,
                        "clientContext",
                        &self.0.client_context,
                    )?;
                }
                ::graph_runtime::__private::serde::ser::SerializeStruct::end(__state)
            }
        }
        req.json_body(&__Body(self))?;
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
