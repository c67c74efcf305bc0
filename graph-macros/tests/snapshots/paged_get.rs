/// `GET /communications/calls/<callId>/participants` (paged, beta)
pub(crate) struct ListParticipants {
    pub call_id: String,
    pub top: Option<u32>,
    pub skip_token: Option<String>,
    pub consistency: Option<String>,
}
#[automatically_derived]
#[allow(unused_qualifications)]
impl ::graph_runtime::GraphAction for ListParticipants {
    type Response = ::graph_runtime::Page<Participant>;
    const METHOD: ::graph_runtime::__private::Method = ::graph_runtime::__private::Method::GET;
    const PATH: &'static str = "/communications/calls/<callId>/participants";
    const IDEMPOTENT: bool = true;
    const VERSION: ::core::option::Option<::graph_runtime::ApiVersion> = ::core::option::Option::Some(
        ::graph_runtime::ApiVersion::Beta,
    );
    #[inline]
    fn write_request(&self, req: &mut ::graph_runtime::__private::RequestWriter) {
        req.lit("/communications/calls/");
        <String as ::graph_runtime::PathValue>::write_path(
            &self.call_id,
            req,
            "callId",
            false,
        );
        req.lit("/participants");
        <Option<
            u32,
        > as ::graph_runtime::QueryValue>::write_query(&self.top, req, "$top");
        <Option<
            String,
        > as ::graph_runtime::QueryValue>::write_query(
            &self.skip_token,
            req,
            "skipToken",
        );
        <Option<
            String,
        > as ::graph_runtime::HeaderValue>::write_header(
            &self.consistency,
            req,
            "ConsistencyLevel",
        );
    }
}
#[automatically_derived]
#[allow(unused_qualifications)]
impl ::graph_runtime::PagedAction for ListParticipants {
    type Item = Participant;
}
/// The answer of [`ListParticipants`]: the status, the headers and the body.
#[allow(dead_code)]
pub(crate) type ListParticipantsResponse = ::graph_runtime::Response<
    ::graph_runtime::Page<Participant>,
>;
#[allow(unused_qualifications)]
impl ListParticipants {
    /// Sends this action through `client` and reads the answer:
    /// `action.send(&client).await` is a
    /// `Result<ListParticipantsResponse, GraphError>`;
    /// the same call as `client.send(&action)`. The request is written
    /// here, so the future borrows the client only.
    #[allow(dead_code)]
    #[inline]
    pub fn send<'c>(
        &self,
        client: &'c ::graph_runtime::GraphClient,
    ) -> ::graph_runtime::SendFuture<'c, ::graph_runtime::Page<Participant>> {
        ::graph_runtime::__private::send(
            client,
            self,
            <::graph_runtime::Page<
                Participant,
            > as ::graph_runtime::ResponseBody>::from_body,
        )
    }
}
