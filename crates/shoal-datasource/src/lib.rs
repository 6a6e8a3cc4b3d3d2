//! Data sources: Parquet and CSV files, globs and directories, split into morsels.
