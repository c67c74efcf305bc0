/// `POST /me/keepAlive`
struct KeepAlive;
#[automatically_derived]
#[allow(unused_qualifications)]
impl ::graph_runtime::GraphAction for KeepAlive {
    type Response = ();
    const METHOD: ::graph_runtime::__private::Method = ::graph_runtime::__private::Method::POST;
    const PATH: &'static str = "/me/keepAlive";
    const IDEMPOTENT: bool = true;
    #[inline]
    fn write_request(&self, req: &mut ::graph_runtime::__private::RequestWriter) {
        req.lit("/me/keepAlive");
    }
}
/// The answer of [`KeepAlive`]: the status, the headers and the body.
#[allow(dead_code)]
type KeepAliveResponse = ::graph_runtime::Response<()>;
#[allow(unused_qualifications)]
impl KeepAlive {
    /// Sends this action through `client` and reads the answer:
    /// `action.send(&client).await` is a
    /// `Result<KeepAliveResponse, GraphError>`;
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
