//! The column-type letters of shoal's sqllogictest files: `B`, `I`, `R`, `T`, and any other letter.

use sqllogictest::ColumnType;

/// The type letter of one result column, as written after `query`.
///
/// shoal produces `B` (booleans, the DataFusion convention), `I` (integers), `R` (floats and
/// decimals) and `T` (everything else); under DataFusion's convention also `D` (dates, times),
/// `P` (timestamps) and `?` (other types), kept as [`ShoalColumnType::Other`]. Files may use any
/// other letter; it is kept as [`ShoalColumnType::Other`] too, so such files parse. How letters
/// are checked depends on the convention ([`crate::ValueStyle`]): not at all in shoal's own
/// files, one per column in SQLite's (where they choose the formatting), strictly in
/// DataFusion's.
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

/// Accept any column types: result text is what is checked (shoal's own `.slt` files).
#[allow(clippy::ptr_arg)] // the signature is fixed by `sqllogictest::ColumnTypeValidator`
pub fn lenient_column_validator(_actual: &Vec<ShoalColumnType>, _expected: &Vec<ShoalColumnType>) -> bool {
    true
}

/// SQLite's convention: the letters say how each column is formatted (see
/// [`crate::render::render_sqlite_column`]), so any letters pass, but there must be one per
/// result column.
#[allow(clippy::ptr_arg)] // the signature is fixed by `sqllogictest::ColumnTypeValidator`
pub fn sqlite_column_validator(actual: &Vec<ShoalColumnType>, expected: &Vec<ShoalColumnType>) -> bool {
    actual.len() == expected.len()
}

/// DataFusion's convention: its runner checks the letters strictly, one per column, with
/// DataFusion's letters (`B`, `D`, `I`, `P`, `R`, `T`; any other letter means "another type",
/// written `?`).
#[allow(clippy::ptr_arg)] // the signature is fixed by `sqllogictest::ColumnTypeValidator`
pub fn datafusion_column_validator(actual: &Vec<ShoalColumnType>, expected: &Vec<ShoalColumnType>) -> bool {
    fn letter(t: &ShoalColumnType) -> char {
        match t.to_char() {
            c @ ('B' | 'D' | 'I' | 'P' | 'R' | 'T') => c,
            _ => '?',
        }
    }
    actual.len() == expected.len() && actual.iter().zip(expected).all(|(a, e)| letter(a) == letter(e))
}
