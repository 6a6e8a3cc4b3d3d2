//! [`PlanSchema`]: an Arrow schema whose fields may carry a table qualifier, and [`Column`].
//!
//! Column lookup is case-insensitive when the exact spelling is not found (as in DuckDB), so
//! `SELECT vendorid` finds `VendorID`; ambiguous and unknown names are errors with a
//! "did you mean" suggestion.

use std::fmt;
use std::sync::Arc;

use arrow::datatypes::{Field, FieldRef, Schema, SchemaRef};
use shoal_common::error::suggest;
use shoal_common::{Result, ShoalError};

/// A reference to a column, optionally qualified by a relation (table or alias) name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Column {
    /// The table or alias name (`t` in `t.a`); `None` matches a column of any relation when the
    /// name is unambiguous.
    pub relation: Option<String>,
    /// The column name, as the field spells it.
    pub name: String,
}

impl Column {
    /// A column `name` of `relation` (`None`: unqualified).
    pub fn new(relation: Option<impl Into<String>>, name: impl Into<String>) -> Self {
        Self { relation: relation.map(Into::into), name: name.into() }
    }
    /// An unqualified column.
    pub fn from_name(name: impl Into<String>) -> Self {
        Self { relation: None, name: name.into() }
    }
    /// `relation.name` or `name`.
    pub fn flat_name(&self) -> String {
        match &self.relation {
            Some(r) => format!("{r}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.flat_name())
    }
}

/// The output schema of a logical plan node: fields plus their optional qualifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSchema {
    fields: Vec<FieldRef>,
    qualifiers: Vec<Option<String>>,
}

/// A shared [`PlanSchema`], as plan nodes hold it.
pub type PlanSchemaRef = Arc<PlanSchema>;

impl PlanSchema {
    /// The schema of no columns.
    pub fn empty() -> Self {
        Self { fields: vec![], qualifiers: vec![] }
    }

    /// Fields with their qualifiers; both vectors must have the same length.
    pub fn new(fields: Vec<FieldRef>, qualifiers: Vec<Option<String>>) -> Result<Self> {
        if fields.len() != qualifiers.len() {
            return Err(ShoalError::Internal("PlanSchema: fields and qualifiers differ in length".into()));
        }
        Ok(Self { fields, qualifiers })
    }

    /// Every field qualified by `qualifier` (or none).
    pub fn from_arrow(schema: &Schema, qualifier: Option<&str>) -> Self {
        Self {
            fields: schema.fields().iter().cloned().collect(),
            qualifiers: vec![qualifier.map(str::to_string); schema.fields().len()],
        }
    }

    /// The Arrow fields, in column order.
    pub fn fields(&self) -> &[FieldRef] {
        &self.fields
    }
    /// The field of column `i`. Panics if `i >= self.len()` (indexes come from the schema
    /// itself, e.g. [`PlanSchema::index_of_column`]).
    pub fn field(&self, i: usize) -> &Field {
        &self.fields[i]
    }
    /// The relation qualifying column `i`, if any. Panics if `i >= self.len()`.
    pub fn qualifier(&self, i: usize) -> Option<&str> {
        self.qualifiers[i].as_deref()
    }
    /// The qualifier of every column, in column order.
    pub fn qualifiers(&self) -> &[Option<String>] {
        &self.qualifiers
    }
    /// The number of columns.
    pub fn len(&self) -> usize {
        self.fields.len()
    }
    /// True when there are no columns.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The column that refers to field `i`.
    pub fn column(&self, i: usize) -> Column {
        Column { relation: self.qualifiers[i].clone(), name: self.fields[i].name().clone() }
    }
    /// Columns for every field.
    pub fn columns(&self) -> Vec<Column> {
        (0..self.len()).map(|i| self.column(i)).collect()
    }

    /// The same fields, all re-qualified with `qualifier`.
    pub fn with_qualifier(&self, qualifier: Option<&str>) -> Self {
        Self { fields: self.fields.clone(), qualifiers: vec![qualifier.map(str::to_string); self.len()] }
    }

    /// Fields of `self` followed by fields of `other` (for joins).
    pub fn join(&self, other: &PlanSchema) -> Self {
        let mut fields = self.fields.clone();
        fields.extend(other.fields.iter().cloned());
        let mut qualifiers = self.qualifiers.clone();
        qualifiers.extend(other.qualifiers.iter().cloned());
        Self { fields, qualifiers }
    }

    /// The plain Arrow schema (qualifiers dropped).
    pub fn to_arrow(&self) -> SchemaRef {
        Arc::new(Schema::new(self.fields.clone()))
    }

    /// Find the field a column refers to, or `None` when there is none.
    /// Errors when the reference is ambiguous.
    pub fn maybe_index_of_column(&self, column: &Column) -> Result<Option<usize>> {
        let matches_qualifier = |i: usize, exact: bool| match &column.relation {
            None => true,
            Some(r) => match &self.qualifiers[i] {
                Some(q) => {
                    if exact {
                        q == r
                    } else {
                        q.eq_ignore_ascii_case(r)
                    }
                }
                None => false,
            },
        };
        for exact in [true, false] {
            let found: Vec<usize> = (0..self.len())
                .filter(|&i| {
                    let name = self.fields[i].name();
                    let name_ok =
                        if exact { name == &column.name } else { name.eq_ignore_ascii_case(&column.name) };
                    name_ok && matches_qualifier(i, exact)
                })
                .collect();
            match found.len() {
                0 => continue,
                1 => return Ok(Some(found[0])),
                _ => {
                    // The same field reached through the same qualifier twice is not ambiguous.
                    let first = &self.qualifiers[found[0]];
                    if found.iter().all(|&i| &self.qualifiers[i] == first)
                        && column.relation.is_none()
                        && first.is_none()
                    {
                        return Ok(Some(found[0]));
                    }
                    let options: Vec<String> = found.iter().map(|&i| self.column(i).flat_name()).collect();
                    return Err(ShoalError::Plan {
                        message: format!(
                            "column reference '{}' is ambiguous: it could be {}",
                            column.flat_name(),
                            options.join(" or ")
                        ),
                        span: None,
                    });
                }
            }
        }
        Ok(None)
    }

    /// Find the field a column refers to; unknown columns are an error with a suggestion.
    pub fn index_of_column(&self, column: &Column) -> Result<usize> {
        match self.maybe_index_of_column(column)? {
            Some(i) => Ok(i),
            None => Err(self.unknown_column_error(column)),
        }
    }

    /// The error for a column that is not in this schema, with a "did you mean" hint.
    pub fn unknown_column_error(&self, column: &Column) -> ShoalError {
        let names: Vec<String> = (0..self.len()).map(|i| self.column(i).flat_name()).collect();
        let bare: Vec<&str> = self.fields.iter().map(|f| f.name().as_str()).collect();
        let mut message = format!("column '{}' not found", column.flat_name());
        if let Some(s) = suggest(&column.name, bare.iter().copied()) {
            message.push_str(&format!("; did you mean '{s}'?"));
        } else if !names.is_empty() && names.len() <= 12 {
            message.push_str(&format!("; available columns: {}", names.join(", ")));
        }
        ShoalError::Plan { message, span: None }
    }

    /// The field a column refers to.
    pub fn field_for_column(&self, column: &Column) -> Result<&Field> {
        Ok(self.field(self.index_of_column(column)?))
    }
}

impl fmt::Display for PlanSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = (0..self.len())
            .map(|i| format!("{}:{}", self.column(i).flat_name(), self.fields[i].data_type()))
            .collect();
        write!(f, "[{}]", parts.join(", "))
    }
}
