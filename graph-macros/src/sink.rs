//! The one place every error of an item goes.
//!
//! A phase that finds a problem pushes its error here; when the problem makes
//! later checks on the same thing meaningless (a field whose role could not be
//! read, a malformed placeholder, an item that is not a struct), the error is
//! pushed with [`blame`](Sink::blame) and the later checks ask
//! [`blamed`](Sink::blamed) instead of reporting a follow-on error.

/// What an error was about, for the checks that come after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The item is not a struct with named fields or a unit struct: the field
    /// rules do not apply.
    Shape,
    /// A placeholder of the path is malformed: a `#[path]` field may be meant
    /// for it, so none is reported as having no placeholder.
    Placeholders,
    /// The field at this index has a role attribute that could not be read.
    Field(usize),
    /// `paged` cannot apply: stubs leave `PagedAction` out.
    Paged,
    /// The `{Name}Response` alias would collide: stubs leave it out.
    Alias,
}

/// Errors in the order they were found, and what they were about.
#[derive(Default)]
pub struct Sink {
    errors: Vec<syn::Error>,
    blamed: Vec<Subject>,
}

impl Sink {
    /// Records an error.
    pub fn push(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// Records an error about `subject`, so later checks leave it alone.
    pub fn blame(&mut self, subject: Subject, error: syn::Error) {
        self.errors.push(error);
        if !self.blamed.contains(&subject) {
            self.blamed.push(subject);
        }
    }

    /// Whether an error about `subject` was recorded.
    pub fn blamed(&self, subject: Subject) -> bool {
        self.blamed.contains(&subject)
    }

    /// No error so far.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The errors, in the order they were found.
    pub fn into_errors(self) -> Vec<syn::Error> {
        self.errors
    }
}
