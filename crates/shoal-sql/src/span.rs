//! Converting sqlparser positions into [`shoal_common::Span`] and attaching them to errors.

use shoal_common::{Result, ShoalError, Span};
use sqlparser::tokenizer::Span as SqlSpan;

/// The shoal span of a sqlparser span (empty spans stay empty).
pub(crate) fn to_span(span: SqlSpan) -> Span {
    Span::new(span.start.line, span.start.column, span.end.line, span.end.column)
}

/// Attach a SQL position to the error of a result, unless it already has a (more precise) one.
pub(crate) trait WithSqlSpan<T> {
    /// Give the error the position `span`.
    fn at(self, span: SqlSpan) -> Result<T>;
    /// Give the error the position computed by `span` (only evaluated on error).
    fn at_with(self, span: impl FnOnce() -> SqlSpan) -> Result<T>;
}

impl<T> WithSqlSpan<T> for Result<T> {
    fn at(self, span: SqlSpan) -> Result<T> {
        self.map_err(|e| e.with_span(to_span(span)))
    }
    fn at_with(self, span: impl FnOnce() -> SqlSpan) -> Result<T> {
        self.map_err(|e| e.with_span(to_span(span())))
    }
}

/// A [`ShoalError::NotSupported`] at `span`.
pub(crate) fn not_supported_at(span: SqlSpan, message: impl Into<String>) -> ShoalError {
    ShoalError::NotSupported { message: message.into(), span: Some(to_span(span)).filter(|s| !s.is_empty()) }
}

/// A [`ShoalError::Plan`] at `span`.
pub(crate) fn plan_error_at(span: SqlSpan, message: impl Into<String>) -> ShoalError {
    ShoalError::Plan { message: message.into(), span: Some(to_span(span)).filter(|s| !s.is_empty()) }
}
