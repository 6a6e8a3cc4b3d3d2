//! The shoal command-line program.
