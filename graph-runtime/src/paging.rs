//! Paged actions: [`Page`] (one OData collection page), [`PagedAction`], and
//! [`GraphClient::stream`] with its [`PageStream`], which yields the items of
//! every page, following `@odata.nextLink`.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::action::GraphAction;
use crate::client::GraphClient;
use crate::error::GraphError;
use crate::response::{Response, read};

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
    /// One element of the collection.
    type Item: DeserializeOwned;
}

type PageFuture<'a, T> = Pin<Box<dyn Future<Output = Result<Page<T>, GraphError>> + Send + 'a>>;

/// The items of a paged action, page after page, following `@odata.nextLink`.
/// A [`futures_core::Stream`]; returned by [`GraphClient::stream`].
///
/// Each page is one call with the client's retries. After an error the stream
/// ends. A `nextLink` to another origin than the client's base URL is refused (an
/// [`GraphError::InvalidRequest`] item), so the token never leaves it.
#[must_use = "streams do nothing unless polled"]
pub struct PageStream<'a, T> {
    client: &'a GraphClient,
    items: VecDeque<T>,
    pending: Option<PageFuture<'a, T>>,
}

// The stream never pins its items; only the boxed future is polled in place.
impl<T> Unpin for PageStream<'_, T> {}

impl<T> std::fmt::Debug for PageStream<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageStream")
            .field("buffered", &self.items.len())
            .field("more", &self.pending.is_some())
            .finish()
    }
}

impl GraphClient {
    /// Streams the items of `action` and of every following page.
    ///
    /// ```ignore
    /// use futures_util::StreamExt as _;
    /// let mut participants = client.stream(&ListParticipants { call_id });
    /// while let Some(p) = participants.next().await {
    ///     println!("{:?}", p?.id);
    /// }
    /// ```
    pub fn stream<'a, A>(&'a self, action: &'a A) -> PageStream<'a, A::Item>
    where
        A: PagedAction + Sync + ?Sized,
        A::Item: Send + 'a,
    {
        let first: PageFuture<'a, A::Item> =
            Box::pin(async move { self.send(action).await.map(Response::into_body) });
        PageStream {
            client: self,
            items: VecDeque::new(),
            pending: Some(first),
        }
    }

    async fn next_page<T: DeserializeOwned>(&self, link: String) -> Result<Page<T>, GraphError> {
        let call = self.link_call(&link)?;
        let client_request_id = call.client_request_id().to_owned();
        let span = tracing::debug_span!(
            "graph_call",
            method = "GET",
            path = "@odata.nextLink",
            client_request_id = %client_request_id,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        let answer =
            tracing::Instrument::instrument(self.execute(&call, &span), span.clone()).await?;
        Ok(read::<Page<T>>(answer, client_request_id)?.into_body())
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
                    let client = this.client;
                    this.pending = page
                        .next_link
                        .map(|link| -> PageFuture<'a, T> { Box::pin(client.next_page::<T>(link)) });
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
