#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
/// `PATCH /communications/calls/<callId>`
pub struct UpdateCall {
    #[serde(skip)]
    pub call_id: String,
    #[serde(rename = "topic")]
    pub subject: String,
}
#[automatically_derived]
#[allow(unused_qualifications)]
impl ::graph_runtime::GraphAction for UpdateCall {
    type Response = ();
    const METHOD: ::graph_runtime::__private::Method = ::graph_runtime::__private::Method::PATCH;
    const PATH: &'static str = "/communications/calls/<callId>";
    const IDEMPOTENT: bool = true;
    #[inline]
    fn write_request(&self, req: &mut ::graph_runtime::__private::RequestWriter) {
        req.lit("/communications/calls/");
        <String as ::graph_runtime::PathValue>::write_path(
            &self.call_id,
            req,
            "callId",
            false,
        );
        req.json_object();
        <String as ::graph_runtime::BodyProperty>::write_property(
            &self.subject,
            req,
            "topic",
        );
    }
}
/// The answer of [`UpdateCall`]: the status, the headers and the body.
#[allow(dead_code)]
pub type UpdateCallResponse = ::graph_runtime::Response<()>;
#[allow(unused_qualifications)]
impl UpdateCall {
    /// Sends this action through `client` and reads the answer:
    /// `action.send(&client).await` is a
    /// `Result<UpdateCallResponse, GraphError>`;
    /// the same call as `client.send(&action)`. The request is written
    /// here, so the future borrows the client only.
    #[allow(dead_code)]
    #[inline]
    pub fn send<'c>(
        &self,
        client: &'c ::graph_runtime::GraphClient,
    ) -> ::graph_runtime::SendFuture<'c, ()> {
        ::graph_runtime::__private::send(
            client,
            self,
            <() as ::graph_runtime::ResponseBody>::from_body,
        )
    }
}
