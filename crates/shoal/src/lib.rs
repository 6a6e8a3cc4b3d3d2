//! The shoal engine: Session, DataFrame, and the glue from SQL text to result batches.
