//! `regexp_extract(string, pattern[, group])` (DuckDB): the text of capture group `group`
//! (default 0, the whole match) of the first match; an empty string when nothing matches.

use arrow::datatypes::{DataType, Int64Type};
use shoal_common::{exec_err, Result};
use shoal_expr::{ColumnarValue, ScalarFunction};

use crate::args::{any_null_scalar, arg, collect_strings, PrimArg, Shape, StrArg};
use crate::builtin::{coerce_signature, Arg, Signature};
use crate::regexp::{LastRegex, RegexCache};

const REGEXP_EXTRACT: &str = "regexp_extract(string, pattern[, group]) -> string: capture group `group` (0 = whole match) of the first match, '' if there is none";

#[derive(Debug, Default)]
pub struct RegexpExtract {
    cache: RegexCache,
}

impl ScalarFunction for RegexpExtract {
    fn name(&self) -> &str {
        "regexp_extract"
    }
    fn description(&self) -> &str {
        REGEXP_EXTRACT
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let signature = Signature::Fixed { args: &[Arg::Str, Arg::Str, Arg::Int], optional: 1 };
        coerce_signature(&signature, REGEXP_EXTRACT, arg_types)
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke(&self, args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
        let shape = Shape::of(args, num_rows);
        if any_null_scalar(args) {
            return Ok(shape.null(&DataType::Utf8));
        }
        let s = StrArg::new(arg(args, 0)?)?;
        let pattern = StrArg::new(arg(args, 1)?)?;
        let group = args.get(2).map(PrimArg::<Int64Type>::new).transpose()?;
        let mut regex = LastRegex::new(&self.cache);
        let out = collect_strings(shape.rows, |i, buf| {
            let (Some(s), Some(pattern)) = (s.get(i), pattern.get(i)) else {
                return Ok(false);
            };
            let group = match &group {
                Some(g) => match g.get(i) {
                    Some(g) => g,
                    None => return Ok(false),
                },
                None => 0,
            };
            let re = regex.get(pattern, false)?;
            let Ok(index) = usize::try_from(group) else {
                return exec_err!("regexp_extract(): group index {group} is negative");
            };
            if index >= re.captures_len() {
                return exec_err!(
                    "regexp_extract(): group index {group} is out of range; the pattern '{pattern}' has {} groups",
                    re.captures_len() - 1
                );
            }
            if let Some(m) = re.captures(s).and_then(|c| c.get(index)) {
                buf.push_str(m.as_str());
            }
            Ok(true)
        })?;
        shape.finish(out)
    }
}
