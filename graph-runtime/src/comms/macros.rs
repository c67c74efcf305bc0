//! The two shapes every comms resource type takes, written once.
//!
//! - [`graph_enum!`]: a Graph string enum, read case-insensitively, an unknown
//!   value kept as `Unknown(String)`, written in the documented camelCase form.
//! - [`graph_struct!`]: a Graph complex type or entity: camelCase properties, all
//!   optional, `None` left out when writing, unknown properties ignored when reading.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Visitor};

/// Declares a Graph string enum: `Variant = "wireValue",` lines.
///
/// Generates the enum with an extra `Unknown(String)` variant, `as_str`,
/// `from_wire`, `From<&str>`, `Display`, `Serialize` (the wire value) and a
/// case-insensitive `Deserialize` that never fails on a string.
macro_rules! graph_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        ///
        /// Read case-insensitively; a value this crate does not know is kept as
        /// `Unknown`, never an error. Written in the documented camelCase form.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* #[doc = concat!("`", $wire, "`")] $variant, )*
            /// A value this crate does not know, kept exactly as received.
            ///
            /// Compare known values through their variants: `from_wire` never
            /// produces `Unknown` for a known value in any letter case.
            Unknown(::std::string::String),
        }

        impl $name {
            /// The wire value (the unknown value as received).
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )*
                    $name::Unknown(value) => value,
                }
            }

            /// Reads a wire value, ignoring ASCII case; an unknown value is kept.
            pub fn from_wire(value: &str) -> Self {
                $( if value.eq_ignore_ascii_case($wire) { return $name::$variant; } )*
                $name::Unknown(value.to_owned())
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                $name::from_wire(value)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::comms::macros::deserialize_wire(deserializer, stringify!($name), $name::from_wire)
            }
        }
    };
}

/// Declares a Graph complex type: every field an `Option`, `None` left out when
/// writing, missing or `null` read as `None`, unknown properties ignored.
macro_rules! graph_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            $(
                $(#[$fmeta])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: $ty,
            )*
        }
    };
}

/// [`graph_struct!`] for a type Graph may send as `null` in place of the object
/// (an operation: "if the response carries a null operation, updates arrive as
/// notifications"): `null` reads as the default, every property `None`.
macro_rules! nullable_graph_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        ///
        /// A `null` in place of the object reads as the default (every property `None`).
        #[derive(Debug, Clone, Default, PartialEq, ::serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            $(
                $(#[$fmeta])*
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $field: $ty,
            )*
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[derive(::serde::Deserialize)]
                #[serde(rename_all = "camelCase")]
                struct Wire {
                    $( $(#[$fmeta])* #[serde(default)] $field: $ty, )*
                }
                Ok(match <Option<Wire> as ::serde::Deserialize>::deserialize(deserializer)? {
                    Some(wire) => $name { $( $field: wire.$field, )* },
                    None => $name::default(),
                })
            }
        }
    };
}

pub(crate) use {graph_enum, graph_struct, nullable_graph_struct};

/// The one non-generic-in-spirit reader behind every [`graph_enum!`]: a string
/// (borrowed or owned) mapped through `from_wire`.
pub(crate) fn deserialize_wire<'de, D, T>(
    deserializer: D,
    name: &'static str,
    from_wire: fn(&str) -> T,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct WireVisitor<T> {
        name: &'static str,
        from_wire: fn(&str) -> T,
        marker: PhantomData<T>,
    }

    impl<T> Visitor<'_> for WireVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a {} string", self.name)
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
            Ok((self.from_wire)(value))
        }
    }

    deserializer.deserialize_str(WireVisitor {
        name,
        from_wire,
        marker: PhantomData,
    })
}

/// Reads an Int32 written as a number or as a numeric string (`"code": "0"` in
/// the call-delete notification example). Anything else reads as `None`: these
/// are diagnostic fields, and a malformed one must not fail the whole answer.
pub(crate) fn lenient_i32<'de, D>(deserializer: D) -> Result<Option<i32>, D::Error>
where
    D: Deserializer<'de>,
{
    struct IntVisitor;

    impl<'de> Visitor<'de> for IntVisitor {
        type Value = Option<i32>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer, a numeric string or null")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(i32::try_from(v).ok())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(i32::try_from(v).ok())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            let in_range = v.fract() == 0.0 && v >= f64::from(i32::MIN) && v <= f64::from(i32::MAX);
            // In range and integral: the cast is exact.
            #[allow(clippy::cast_possible_truncation)]
            Ok(in_range.then_some(v as i32))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(v.trim().parse().ok())
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(IntVisitor)
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<de::IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map
                .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                .is_some()
            {}
            Ok(None)
        }
    }

    deserializer.deserialize_any(IntVisitor)
}
