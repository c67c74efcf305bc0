::core::compile_error! {
    "no field for placeholder `<callId>`\nhelp: add `#[path] pub call_id: String` to the struct (with braces: `struct Name { .. }`)"
}
struct KeepAlive;
impl ::graph_runtime::GraphAction for KeepAlive {
    type Response = ();
    const METHOD: ::graph_runtime::__private::Method = ::graph_runtime::__private::Method::GET;
    const PATH: &'static str = "";
    const IDEMPOTENT: bool = false;
    fn write_request(
        &self,
        _: &mut ::graph_runtime::__private::RequestWriter,
    ) -> ::core::result::Result<(), ::graph_runtime::GraphError> {
        ::core::result::Result::Ok(())
    }
}
/// The answer of [`KeepAlive`]: the status, the headers and the body.
#[allow(dead_code)]
type KeepAliveResponse = ::graph_runtime::Response<()>;
impl KeepAlive {
    /// Sends this action through `client` and reads the answer; the same
    /// as `client.send(&action)`.
    #[allow(dead_code)]
    pub async fn send(
        &self,
        client: &::graph_runtime::GraphClient,
    ) -> ::core::result::Result<KeepAliveResponse, ::graph_runtime::GraphError> {
        client.send(self).await
    }
}
