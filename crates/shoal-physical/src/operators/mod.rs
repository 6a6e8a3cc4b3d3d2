//! The physical operators other than aggregation (see [`crate::aggregate`]).

pub mod filter;
pub mod limit;
mod placeholder;
pub mod projection;
pub mod scan;
pub mod scan_filter;
pub mod sort;
mod sort_merge;
pub mod values;

pub use filter::FilterExec;
pub use limit::LimitExec;
pub(crate) use placeholder::placeholder_column;
pub use projection::ProjectionExec;
pub use scan::ScanExec;
pub use scan_filter::ScanPredicate;
pub use sort::{PhysicalSortExpr, SortExec};
pub use values::ValuesExec;
