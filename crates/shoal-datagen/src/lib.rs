//! Deterministic data generators: NYC-taxi-like trips and TPC-H, written as Parquet or CSV.
