//! Physical execution: operators, the physical planner and the morsel-driven scheduler.
//!
//! See `docs/architecture.md` for the execution model: sources hand out morsels, a worker of the
//! session's rayon pool pushes one morsel through a pipeline of streaming operators into a sink;
//! pipeline breakers keep thread-local state that is combined and finalised.
//!
//! * [`create_physical_plan`] turns a logical plan into an [`ExecutionPlan`] tree.
//! * [`collect`] / [`execute_stream`] run it on a [`TaskContext`] (pool, config, cancel flag,
//!   progress).
//! * [`displayable`] / [`explain_analyze`] print it for EXPLAIN.

#![warn(missing_docs)]

pub mod aggregate;
pub mod context;
pub mod display;
pub mod execute;
pub mod joins;
pub mod key_packing;
pub mod memory;
pub mod metrics;
pub mod operators;
pub mod plan;
pub mod planner;
mod scan_columns;
mod scheduler;
pub mod setops;
pub mod window;

pub use aggregate::{AggregateExpr, HashAggregateExec};
pub use context::{Progress, ProgressSnapshot, TaskContext};
pub use display::{displayable, displayable_with_metrics, explain_analyze, reset_metrics};
pub use execute::{collect, execute_stream};
pub use memory::{MemoryConsumer, MemoryPool, MemoryReservation};
pub use metrics::OperatorMetrics;
pub use operators::{
    FilterExec, LimitExec, PhysicalSortExpr, ProjectionExec, ScanExec, ScanPredicate, SortExec, ValuesExec,
};
pub use plan::{ExecutionPlan, OperatorRole};
pub use planner::create_physical_plan;
pub use setops::{RecursiveQueryExec, SetOpExec, UnionExec, WorkTableExec};
pub use window::{PhysicalWindowExpr, WindowExec};
