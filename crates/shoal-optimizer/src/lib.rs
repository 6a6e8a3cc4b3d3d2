//! Logical optimizer: one rule per file, each switchable by name.
