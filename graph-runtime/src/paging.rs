//! Paged actions: [`Page`] (one OData collection page), [`PagedAction`], and
//! [`GraphClient::stream`] with its [`PageStream`], which yields the items of
//! every page, following `@odata.nextLink`.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{HeaderName, HeaderValue};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::action::GraphAction;
use crate::call::{Call, CallInfo};
use crate::client::GraphClient;
use crate::error::GraphError;
use crate::request::RequestWriter;
use crate::response::{decode_body, read_with};

/// One page of an OData collection: `{"value": [...], "@odata.nextLink": "..."}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(bound(deserialize = "T: serde::de::DeserializeOwned"))]
pub struct Page<T> {
    /// The items of this page.
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// The URL of the next page, when there is one.
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
    /// The total count, when `$count=true` was asked.
    #[serde(rename = "@odata.count", default)]
    pub count: Option<u64>,
}

/// A `paged` action: a GET whose answer is an OData collection page of `Item`s.
///
/// `#[graph_action(GET, "...", response = Participant, paged)]` implements this
/// with `Item = Participant` and [`GraphAction::Response`] = [`Page<Participant>`](Page).
pub trait PagedAction: GraphAction<Response = Page<Self::Item>> {
    /// One element of the collection: any `serde::de::DeserializeOwned` type.
    /// Not bounded here: `#[graph_action]` checks the action's response,
    /// `Page<Item>`, as a [`ResponseBody`](crate::ResponseBody), so an item that
    /// cannot be read is reported once, there; generic code that reads items states
    /// `A::Item: DeserializeOwned` (as [`GraphClient::stream`] does).
    type Item;
}

type PageFuture<'a, T> = Pin<Box<dyn Future<Output = Result<Page<T>, GraphError>> + Send + 'a>>;

/// The default largest number of pages one stream fetches
/// ([`PageStream::max_pages`]).
const DEFAULT_MAX_PAGES: usize = 10_000;

/// The items of a paged action, page after page, following `@odata.nextLink`.
/// A [`futures_core::Stream`]; returned by [`GraphClient::stream`].
///
/// Each page is one call with the client's retries, and carries the action's
/// headers (`ConsistencyLevel: eventual` is needed on every page of an advanced
/// query). After an error the stream ends. These end it with an
/// [`GraphError::InvalidRequest`] item, before anything more is sent:
/// - a `nextLink` to another origin than the client's base URL (the token never
///   leaves it);
/// - a `nextLink` to a page this stream already fetched (a server that links a
///   page to itself would otherwise be asked forever);
/// - a `nextLink` past [`max_pages`](Self::max_pages) (10 000 by default).
#[must_use = "streams do nothing unless polled"]
pub struct PageStream<'a, T> {
    client: &'a GraphClient,
    items: VecDeque<T>,
    pending: Option<PageFuture<'a, T>>,
    /// The action's own headers, sent with every page.
    headers: Vec<(HeaderName, HeaderValue)>,
    /// Every page URL fetched or being fetched.
    fetched: HashSet<String>,
    max_pages: usize,
}

// The stream never pins its items; only the boxed future is polled in place.
impl<T> Unpin for PageStream<'_, T> {}

impl<T> std::fmt::Debug for PageStream<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageStream")
            .field("buffered", &self.items.len())
            .field("more", &self.pending.is_some())
            .field("pages", &self.fetched.len())
            .field("max_pages", &self.max_pages)
            .finish()
    }
}

impl<T> PageStream<'_, T> {
    /// The most pages this stream fetches, the first included (default 10 000;
    /// `usize::MAX` for no limit). A `nextLink` beyond it ends the stream with a
    /// [`GraphError::InvalidRequest`] item instead of a request.
    pub fn max_pages(mut self, pages: usize) -> Self {
        self.max_pages = pages.max(1);
        self
    }
}

impl GraphClient {
    /// Streams the items of `action` and of every following page.
    ///
    /// ```no_run
    /// use futures_util::StreamExt as _;
    /// # use graph_runtime::comms::ListParticipants;
    /// # async fn run(client: graph_runtime::GraphClient, call_id: String) -> Result<(), graph_runtime::GraphError> {
    /// let list = ListParticipants { call_id, top: None };
    /// let mut participants = client.stream(&list);
    /// while let Some(p) = participants.next().await {
    ///     println!("{:?}", p?.id);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn stream<'a, A>(&'a self, action: &'a A) -> PageStream<'a, A::Item>
    where
        A: PagedAction + Sync + ?Sized,
        A::Item: DeserializeOwned + Send + 'a,
    {
        let mut writer = RequestWriter::new();
        action.write_request(&mut writer);
        let mut fetched = HashSet::new();
        let (first, headers): (PageFuture<'a, A::Item>, _) =
            match self.action_call(&CallInfo::of::<A>(), writer) {
                Ok(call) => {
                    fetched.insert(call.url().as_str().to_owned());
                    let headers = call.action_headers().to_vec();
                    (Box::pin(self.fetch_page(call, A::PATH)), headers)
                }
                Err(e) => (Box::pin(std::future::ready(Err(e))), Vec::new()),
            };
        PageStream {
            client: self,
            items: VecDeque::new(),
            pending: Some(first),
            headers,
            fetched,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }

    /// One page: the call through the pipeline, its body read as a page.
    async fn fetch_page<T: DeserializeOwned>(
        &self,
        call: Call,
        path: &'static str,
    ) -> Result<Page<T>, GraphError> {
        let (answer, client_request_id) = self.execute_traced(&call, "GET", path).await?;
        Ok(read_with(answer, client_request_id, decode_body::<Page<T>>)?.into_body())
    }
}

impl<'a, T: DeserializeOwned + Send + 'a> PageStream<'a, T> {
    /// The future of the page at `link`, or the error that ends the stream
    /// instead (a link to another origin, a repeated link, the page cap).
    fn next_page(&mut self, link: String) -> PageFuture<'a, T> {
        let refuse = |reason: String| -> PageFuture<'a, T> {
            Box::pin(std::future::ready(Err(GraphError::InvalidRequest {
                reason,
            })))
        };
        let url = match url::Url::parse(&link) {
            Ok(url) => url,
            Err(e) => return refuse(format!("the nextLink is not a URL: {e}")),
        };
        if self.fetched.len() >= self.max_pages {
            return refuse(format!(
                "the collection has more than max_pages ({}) pages; not following its nextLink",
                self.max_pages
            ));
        }
        if !self.fetched.insert(url.as_str().to_owned()) {
            return refuse(
                "the nextLink points to a page this stream already fetched; not following it"
                    .to_owned(),
            );
        }
        match self.client.link_call(url, self.headers.clone()) {
            Ok(call) => Box::pin(self.client.fetch_page(call, "@odata.nextLink")),
            Err(e) => Box::pin(std::future::ready(Err(e))),
        }
    }
}

impl<'a, T: DeserializeOwned + Send + 'a> futures_core::Stream for PageStream<'a, T> {
    type Item = Result<T, GraphError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.items.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            let Some(pending) = this.pending.as_mut() else {
                return Poll::Ready(None);
            };
            match pending.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => {
                    this.pending = None;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(Ok(page)) => {
                    this.items = page.value.into();
                    this.pending = page.next_link.map(|link| this.next_page(link));
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.items.len();
        (
            n,
            if self.pending.is_none() {
                Some(n)
            } else {
                None
            },
        )
    }
}
