//! shoal's shared foundations: the error type, scalar values and session configuration.
//!
//! Every other shoal crate depends on this one; it depends only on Arrow.

#![warn(missing_docs)]

pub mod byte_size;
pub mod cast;
pub mod config;
pub mod error;
pub mod scalar;

pub use config::SessionConfig;
pub use error::{DataLocation, Result, ShoalError, Span};
pub use scalar::ScalarValue;
