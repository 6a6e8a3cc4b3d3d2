//! Regular-expression functions (`regexp_replace`, `regexp_like` alias `regexp_matches`,
//! and `regexp_extract` in [`crate::regexp_extract`]) on the `regex` crate, with
//! compiled patterns cached per function so a constant pattern is compiled once.
//!
//! Flags follow PostgreSQL: `g` replaces every match, `i` ignores case, `c` is case-sensitive
//! (the default). As in PostgreSQL, `.` matches a newline too. In a replacement, `\1`..`\9`
//! insert capture groups and `\&` the whole match.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arrow::datatypes::DataType;
use regex::{Regex, RegexBuilder};
use shoal_common::{exec_err, Result};
use shoal_expr::{ColumnarValue, ScalarFunction};

use crate::args::{any_null_scalar, arg, collect_bools, collect_strings, Shape, StrArg};
use crate::builtin::{coerce_signature, Arg, Signature};

/// Compiled patterns kept per function object; cleared when it grows past this many.
const CACHE_CAPACITY: usize = 64;

/// The regular-expression functions.
pub fn functions() -> Vec<Arc<dyn ScalarFunction>> {
    vec![
        Arc::new(RegexpReplace::default()),
        Arc::new(RegexpLike::default()),
        Arc::new(crate::regexp_extract::RegexpExtract::default()),
    ]
}

/// Options parsed from a flags string.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct Flags {
    pub(crate) global: bool,
    pub(crate) case_insensitive: bool,
}

impl Flags {
    pub(crate) fn parse(flags: &str, allow_global: bool, func: &str) -> Result<Self> {
        let mut out = Flags::default();
        for c in flags.chars() {
            match c {
                'g' if allow_global => out.global = true,
                'i' => out.case_insensitive = true,
                'c' => out.case_insensitive = false,
                other => return exec_err!("{func}(): invalid regular expression option: \"{other}\""),
            }
        }
        Ok(out)
    }
}

/// Compiled regexes by (pattern, case-insensitive), shared by the threads running a function.
#[derive(Debug, Default)]
pub(crate) struct RegexCache {
    map: Mutex<HashMap<(String, bool), Regex>>,
}

impl RegexCache {
    pub(crate) fn get(&self, pattern: &str, case_insensitive: bool) -> Result<Regex> {
        let key = (pattern.to_string(), case_insensitive);
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(re) = map.get(&key) {
            return Ok(re.clone());
        }
        let re = match RegexBuilder::new(pattern)
            .case_insensitive(case_insensitive)
            .dot_matches_new_line(true)
            .build()
        {
            Ok(re) => re,
            Err(e) => return exec_err!("invalid regular expression '{pattern}': {e}"),
        };
        if map.len() >= CACHE_CAPACITY {
            map.clear();
        }
        map.insert(key, re.clone());
        Ok(re)
    }
}

/// Remembers the regex of the previous row so a run of equal patterns skips the cache lock.
pub(crate) struct LastRegex<'c> {
    cache: &'c RegexCache,
    last: Option<(String, bool, Regex)>,
}

impl<'c> LastRegex<'c> {
    pub(crate) fn new(cache: &'c RegexCache) -> Self {
        Self { cache, last: None }
    }
    pub(crate) fn get(&mut self, pattern: &str, case_insensitive: bool) -> Result<&Regex> {
        let hit = matches!(&self.last, Some((p, ci, _)) if p == pattern && *ci == case_insensitive);
        if !hit {
            let re = self.cache.get(pattern, case_insensitive)?;
            self.last = Some((pattern.to_string(), case_insensitive, re));
        }
        match &self.last {
            Some((_, _, re)) => Ok(re),
            None => exec_err!("regular expression cache lost its entry"),
        }
    }
}

/// Translate a PostgreSQL replacement (`\1`, `\&`, `\\`) to the `regex` crate's syntax.
fn translate_replacement(repl: &str) -> String {
    let mut out = String::with_capacity(repl.len() + 4);
    let mut chars = repl.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' => out.push_str("$$"),
            '\\' => match chars.peek().copied() {
                Some(d @ '1'..='9') => {
                    chars.next();
                    out.push_str("${");
                    out.push(d);
                    out.push('}');
                }
                Some('&') => {
                    chars.next();
                    out.push_str("${0}");
                }
                Some('\\') => {
                    chars.next();
                    out.push('\\');
                }
                _ => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out
}

/// `regexp_replace(string, pattern, replacement[, flags])`.
#[derive(Debug, Default)]
pub struct RegexpReplace {
    cache: RegexCache,
}

const REGEXP_REPLACE: &str = "regexp_replace(string, pattern, replacement[, flags]) -> string: replaces the first match (every match with flag 'g'; 'i' ignores case; \\1 inserts a group)";

impl ScalarFunction for RegexpReplace {
    fn name(&self) -> &str {
        "regexp_replace"
    }
    fn description(&self) -> &str {
        REGEXP_REPLACE
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let signature = Signature::Fixed { args: &[Arg::Str, Arg::Str, Arg::Str, Arg::Str], optional: 1 };
        coerce_signature(&signature, REGEXP_REPLACE, arg_types)
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
        let repl = StrArg::new(arg(args, 2)?)?;
        let flags = args.get(3).map(StrArg::new).transpose()?;
        let mut regex = LastRegex::new(&self.cache);
        let mut last_repl: Option<(&str, String)> = None;
        let out = collect_strings(shape.rows, |i, buf| {
            let (Some(s), Some(pattern), Some(repl)) = (s.get(i), pattern.get(i), repl.get(i)) else {
                return Ok(false);
            };
            let flags = match &flags {
                Some(f) => match f.get(i) {
                    Some(f) => Flags::parse(f, true, "regexp_replace")?,
                    None => return Ok(false),
                },
                None => Flags::default(),
            };
            if !matches!(&last_repl, Some((r, _)) if *r == repl) {
                last_repl = Some((repl, translate_replacement(repl)));
            }
            let translated = last_repl.as_ref().map_or("", |(_, t)| t.as_str());
            let re = regex.get(pattern, flags.case_insensitive)?;
            if flags.global {
                buf.push_str(&re.replace_all(s, translated));
            } else {
                buf.push_str(&re.replace(s, translated));
            }
            Ok(true)
        })?;
        shape.finish(out)
    }
}

/// `regexp_like(string, pattern[, flags])`.
#[derive(Debug, Default)]
pub struct RegexpLike {
    cache: RegexCache,
}

const REGEXP_LIKE: &str = "regexp_like(string, pattern[, flags]) -> boolean: true if pattern matches somewhere in string ('i' ignores case)";

impl ScalarFunction for RegexpLike {
    fn name(&self) -> &str {
        "regexp_like"
    }
    fn aliases(&self) -> &[&'static str] {
        // DuckDB's name: true when the pattern matches anywhere in the string
        &["regexp_matches"]
    }
    fn description(&self) -> &str {
        REGEXP_LIKE
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let signature = Signature::Fixed { args: &[Arg::Str, Arg::Str, Arg::Str], optional: 1 };
        coerce_signature(&signature, REGEXP_LIKE, arg_types)
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }
    fn invoke(&self, args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
        let shape = Shape::of(args, num_rows);
        if any_null_scalar(args) {
            return Ok(shape.null(&DataType::Boolean));
        }
        let s = StrArg::new(arg(args, 0)?)?;
        let pattern = StrArg::new(arg(args, 1)?)?;
        let flags = args.get(2).map(StrArg::new).transpose()?;
        let mut regex = LastRegex::new(&self.cache);
        let out = collect_bools(shape.rows, |i| {
            let (Some(s), Some(pattern)) = (s.get(i), pattern.get(i)) else {
                return Ok(None);
            };
            let flags = match &flags {
                Some(f) => match f.get(i) {
                    Some(f) => Flags::parse(f, false, "regexp_like")?,
                    None => return Ok(None),
                },
                None => Flags::default(),
            };
            Ok(Some(regex.get(pattern, flags.case_insensitive)?.is_match(s)))
        })?;
        shape.finish(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacement_translation() {
        assert_eq!(translate_replacement(r"<\1>"), "<${1}>");
        assert_eq!(translate_replacement(r"\&\&"), "${0}${0}");
        assert_eq!(translate_replacement(r"a$b\\c\x"), r"a$$b\c\x");
    }
}
