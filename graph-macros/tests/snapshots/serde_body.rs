#[derive(Debug, Clone)]
/// `POST /communications/calls`
pub struct CreateCall {
    pub call: Call,
    pub odata_type: String,
    pub targets: Vec<String>,
    pub extra: Option<u8>,
    #[cfg(feature = "never")]
    pub gated: u8,
}
#[automatically_derived]
#[allow(unused_qualifications)]
impl ::graph_runtime::GraphAction for CreateCall {
    type Response = Call;
    const METHOD: ::graph_runtime::__private::Method = ::graph_runtime::__private::Method::POST;
    const PATH: &'static str = "/communications/calls";
    const IDEMPOTENT: bool = false;
    #[inline]
    fn write_request(&self, req: &mut ::graph_runtime::__private::RequestWriter) {
        req.lit("/communications/calls");
        {
            use ::graph_runtime::__private::serde;
            #[derive(serde::Serialize)]
            #[serde(crate = "::graph_runtime::__private::serde")]
            #[serde(rename_all = "camelCase")]
            struct __Body<'__a> {
                #[serde(flatten)]
                call: &'__a Call,
                #[serde(rename = "@odata.type")]
                odata_type: &'__a String,
                #[serde(skip_serializing_if = "Vec::is_empty")]
                targets: &'__a Vec<String>,
                #[serde(skip_serializing_if = "Option::is_none", rename = "x")]
                extra: &'__a Option<u8>,
                #[cfg(feature = "never")]
                gated: &'__a u8,
            }
            req.json_body(
                &__Body {
                    call: &self.call,
                    odata_type: &self.odata_type,
                    targets: &self.targets,
                    extra: &self.extra,
                    #[cfg(feature = "never")]
                    gated: &self.gated,
                },
            );
        }
    }
}
/// The answer of [`CreateCall`]: the status, the headers and the body.
#[allow(dead_code)]
pub type CreateCallResponse = ::graph_runtime::Response<Call>;
#[allow(unused_qualifications)]
impl CreateCall {
    /// Sends this action through `client` and reads the answer:
    /// `action.send(&client).await` is a
    /// `Result<CreateCallResponse, GraphError>`;
    /// the same call as `client.send(&action)`. The request is written
    /// here, so the future borrows the client only.
    #[allow(dead_code)]
    #[inline]
    pub fn send<'c>(
        &self,
        client: &'c ::graph_runtime::GraphClient,
    ) -> ::graph_runtime::SendFuture<'c, Call> {
        ::graph_runtime::__private::send(
            client,
            self,
            <Call as ::graph_runtime::ResponseBody>::from_body,
        )
    }
}
