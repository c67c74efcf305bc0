struct KeepAlive;
#[allow(unused_qualifications)]
impl ::graph_runtime::GraphAction for KeepAlive {
    type Response = ();
    const METHOD: ::graph_runtime::__private::Method = ::graph_runtime::__private::Method::GET;
    const PATH: &'static str = "";
    const IDEMPOTENT: bool = false;
    fn write_request(&self, _: &mut ::graph_runtime::__private::RequestWriter) {}
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
::core::compile_error! {
    "no field for placeholder `<callId>`\nhelp: add `#[path] pub call_id: String` to the struct (with braces: `struct Name { .. }`)"
}
