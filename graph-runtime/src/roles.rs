//! What each field role of `#[graph_action]` asks of its type, one trait per role.
//!
//! The generated code calls only these traits, at the field's type, so a type
//! that does not fit is reported there in this crate's words ("`CallId` cannot
//! be a `#[path]` value: it does not implement `Display`") rather than through
//! serde's traits or the request writer. Each trait is implemented for every
//! type that has what the role needs; there is nothing to implement by hand.
//!
//! | role | trait | implemented for |
//! |---|---|---|
//! | `#[path]` | [`PathValue`] | `Display` types |
//! | `#[query]` | [`QueryValue`] | `serde::Serialize` types |
//! | `#[header("..")]` | [`HeaderValue`] | `serde::Serialize` types |
//! | body property | [`BodyProperty`] | `serde::Serialize` types |
//! | `response = Type` | [`ResponseBody`] | `serde::de::DeserializeOwned` types |

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::request::RequestWriter;

/// A type that can fill a `<placeholder>` of an action's path: any
/// [`Display`](fmt::Display) type, its output percent-encoded as one segment.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `#[path]` value: it does not implement `std::fmt::Display`",
    label = "a `#[path]` field's type must implement `std::fmt::Display`",
    note = "implement `std::fmt::Display` for `{Self}` (its output is percent-encoded into the path), or make the field a `String`"
)]
pub trait PathValue {
    /// Writes `self` as the value of placeholder `name`.
    #[doc(hidden)]
    fn write_path(&self, req: &mut RequestWriter, name: &'static str, quoted: bool);
}

#[diagnostic::do_not_recommend]
impl<T: fmt::Display + ?Sized> PathValue for T {
    #[inline]
    fn write_path(&self, req: &mut RequestWriter, name: &'static str, quoted: bool) {
        req.param(name, &self, quoted);
    }
}

/// A type that can be a `#[query]` parameter's value: any `serde::Serialize`
/// type that serialises to a string, number, bool, unit, `None` or a sequence.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `#[query]` value: it does not implement `serde::Serialize`",
    label = "a `#[query]` field's type must implement `serde::Serialize`",
    note = "add `#[derive(serde::Serialize)]` to `{Self}`, or make the field a `String`"
)]
pub trait QueryValue {
    /// Writes `self` as query parameter `name`.
    #[doc(hidden)]
    fn write_query(&self, req: &mut RequestWriter, name: &'static str);
}

#[diagnostic::do_not_recommend]
impl<T: Serialize + ?Sized> QueryValue for T {
    #[inline]
    fn write_query(&self, req: &mut RequestWriter, name: &'static str) {
        req.query(name, self);
    }
}

/// A type that can be a `#[header("..")]` field's value: any `serde::Serialize`
/// type that serialises to a string, number, bool or `None`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `#[header]` value: it does not implement `serde::Serialize`",
    label = "a `#[header]` field's type must implement `serde::Serialize`",
    note = "add `#[derive(serde::Serialize)]` to `{Self}`, or make the field a `String`"
)]
pub trait HeaderValue {
    /// Writes `self` as header `name`.
    #[doc(hidden)]
    fn write_header(&self, req: &mut RequestWriter, name: &'static str);
}

#[diagnostic::do_not_recommend]
impl<T: Serialize + ?Sized> HeaderValue for T {
    #[inline]
    fn write_header(&self, req: &mut RequestWriter, name: &'static str) {
        req.header(name, self);
    }
}

/// A type that can be a JSON body property: any `serde::Serialize` type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a body property: it does not implement `serde::Serialize`",
    label = "a body field's type must implement `serde::Serialize`",
    note = "add `#[derive(serde::Serialize)]` to `{Self}`, or mark the field `#[path]`, `#[query]` or `#[header(\"..\")]`"
)]
pub trait BodyProperty {
    /// Writes `self` as body property `name`.
    #[doc(hidden)]
    fn write_property(&self, req: &mut RequestWriter, name: &'static str);

    /// Writes `value` as body property `name`, leaving `None` out.
    #[doc(hidden)]
    fn write_opt_property(value: &Option<Self>, req: &mut RequestWriter, name: &'static str)
    where
        Self: Sized;
}

#[diagnostic::do_not_recommend]
impl<T: Serialize + ?Sized> BodyProperty for T {
    #[inline]
    fn write_property(&self, req: &mut RequestWriter, name: &'static str) {
        req.json_field(name, self);
    }

    #[inline]
    fn write_opt_property(value: &Option<Self>, req: &mut RequestWriter, name: &'static str)
    where
        Self: Sized,
    {
        req.json_opt_field(name, value);
    }
}

/// A type that can be an action's `response`: any
/// `serde::de::DeserializeOwned` type, read by the tolerant reader of
/// [`Response`](crate::Response) (an empty body reads as `null`, the
/// `{"value": {...}}` envelope is unwrapped).
///
/// [`GraphAction::Response`](crate::GraphAction::Response) is not bounded by
/// it: `#[graph_action]` checks it at the `response =` type. Generic code over
/// [`GraphAction`](crate::GraphAction) that sends an action states
/// `A::Response: ResponseBody`, as [`GraphClient::send`](crate::GraphClient::send)
/// does; code that deserialises the response itself states
/// `A::Response: DeserializeOwned`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `response` type: it does not implement `serde::Deserialize`",
    label = "the `response` type must implement `serde::de::DeserializeOwned`",
    note = "derive `serde::Deserialize` for it (with `paged`, for the item type); it must own its data (`String`, not `&str`)"
)]
pub trait ResponseBody: Sized {
    /// Reads a successful answer's body.
    #[doc(hidden)]
    fn from_body(body: &[u8]) -> Result<Self, serde_json::Error>;
}

#[diagnostic::do_not_recommend]
impl<T: DeserializeOwned> ResponseBody for T {
    #[inline]
    fn from_body(body: &[u8]) -> Result<Self, serde_json::Error> {
        crate::response::decode_body(body)
    }
}
