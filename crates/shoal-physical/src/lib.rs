//! Physical execution: operators, the physical planner and the morsel-driven scheduler.
//!
//! See `docs/architecture.md` for the execution model: sources hand out morsels, a worker of the
//! session's rayon pool pushes one morsel through a pipeline of streaming operators into a sink;
//! pipeline breakers keep thread-local state that is combined and finalised.
