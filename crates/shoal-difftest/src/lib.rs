//! Differential tests: shoal against DataFusion on generated TPC-H data.
