//! The physical operators other than aggregation (see [`crate::aggregate`]).

pub mod filter;
pub mod limit;
pub mod projection;
pub mod scan;
pub mod sort;
pub mod values;

pub use filter::FilterExec;
pub use limit::LimitExec;
pub use projection::ProjectionExec;
pub use scan::ScanExec;
pub use sort::{PhysicalSortExpr, SortExec};
pub use values::ValuesExec;
