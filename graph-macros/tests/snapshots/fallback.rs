/// Docs stay.
pub struct Broken {
    pub id: String,
    pub body: u8,
}
#[allow(unused_qualifications)]
impl ::graph_runtime::GraphAction for Broken {
    type Response = ();
    const METHOD: ::graph_runtime::__private::Method = ::graph_runtime::__private::Method::GET;
    const PATH: &'static str = "";
    const IDEMPOTENT: bool = false;
    fn write_request(&self, _: &mut ::graph_runtime::__private::RequestWriter) {}
}
/// The answer of [`Broken`]: the status, the headers and the body.
#[allow(dead_code)]
pub type BrokenResponse = ::graph_runtime::Response<()>;
#[allow(unused_qualifications)]
impl Broken {
    /// Sends this action through `client` and reads the answer:
    /// `action.send(&client).await` is a
    /// `Result<BrokenResponse, GraphError>`;
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
    "the method is written in uppercase\nhelp: write `POST`"
}
::core::compile_error! {
    "unknown option `bogus`\nhelp: the options are `response = Type`, `version = \"beta\"`, `paged`, `idempotent` or `crate = path`"
}
::core::compile_error! {
    "a field has one role, and this one is already `#[query]`\nhelp: keep one of `#[path]`, `#[query]`, `#[header(..)]`; a field without any is a body property"
}
::core::compile_error! {
    "`paged` is for GET actions that list a collection, not POST\nhelp: remove `paged`, or make the action `GET`"
}
::core::compile_error! {
    "`paged` needs the item type of the collection\nhelp: add `response = Item` (the action then returns `Page<Item>`)"
}
::core::compile_error! {
    "use `<callId>` placeholders, not `{id}`\nhelp: write \"/calls/<callId>/\""
}
::core::compile_error! {
    "the path ends with `/`\nhelp: remove the trailing `/`: \"/calls/{id}\""
}
