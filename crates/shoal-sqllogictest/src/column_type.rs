//! The column-type letters of shoal's sqllogictest files: `B`, `I`, `R`, `T`, and any other letter.

use sqllogictest::ColumnType;

/// The type letter of one result column, as written after `query`.
///
/// shoal produces `B` (booleans, the DataFusion convention), `I` (integers), `R` (floats and
/// decimals) and `T` (everything else). Files may use any other letter (SQLite's and
/// DataFusion's files use e.g. `D` or `P`); it is kept as [`ShoalColumnType::Other`] so such files
/// parse, and results are checked leniently (see [`crate::lenient_column_validator`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShoalColumnType {
    /// `B`: booleans.
    Boolean,
    /// `I`: signed and unsigned integers (and booleans under the SQLite convention).
    Integer,
    /// `R`: floating point numbers and decimals.
    Float,
    /// `T`: text and every other type (dates, timestamps, intervals, nested values).
    Text,
    /// Any other letter found in a test file.
    Other(char),
}

impl ColumnType for ShoalColumnType {
    fn from_char(value: char) -> Option<Self> {
        Some(match value {
            'B' => Self::Boolean,
            'I' => Self::Integer,
            'R' => Self::Float,
            'T' => Self::Text,
            other => Self::Other(other),
        })
    }

    fn to_char(&self) -> char {
        match self {
            Self::Boolean => 'B',
            Self::Integer => 'I',
            Self::Float => 'R',
            Self::Text => 'T',
            Self::Other(c) => *c,
        }
    }
}

/// Accept any column types: result text is what is checked (as DataFusion's runner does).
#[allow(clippy::ptr_arg)] // the signature is fixed by `sqllogictest::ColumnTypeValidator`
pub fn lenient_column_validator(_actual: &Vec<ShoalColumnType>, _expected: &Vec<ShoalColumnType>) -> bool {
    true
}
