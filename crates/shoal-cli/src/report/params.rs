//! Report query parameters: `${name}` placeholders, `-- param: name=default` header lines, and
//! their substitution (`$${name}` stands for a literal `${name}`).
//!
//! Values are inserted as SQL text, verbatim: `--param min_distance=2` makes `${min_distance}`
//! the number 2, and a string needs its quotes (`--param vendor="'CMT'"`).

use std::collections::BTreeMap;

/// A piece of a query text: literal SQL, or a `${name}` placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment<'a> {
    Text(&'a str),
    Param(&'a str),
}

/// Is `name` a parameter name (`[A-Za-z_][A-Za-z0-9_]*`)?
pub fn is_param_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parse `NAME=VALUE` (the `--param` flag).
pub fn parse_param_arg(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if is_param_name(name.trim()) => Ok((name.trim().to_string(), value.to_string())),
        _ => Err(format!("expected NAME=VALUE with NAME made of letters, digits and _, got '{s}'")),
    }
}

/// 1-based line number of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

/// Split `text` into literal SQL and placeholders; `$${` is an escaped `${`.
fn segments(text: &str) -> Result<Vec<Segment<'_>>, String> {
    let mut out = vec![];
    let mut rest_start = 0;
    let mut i = 0;
    while let Some(found) = text[i..].find("${") {
        let at = i + found;
        if at > 0 && text.as_bytes().get(at - 1) == Some(&b'$') {
            // `$${`: keep the text up to and including the first `$`, drop the second.
            out.push(Segment::Text(&text[rest_start..at - 1]));
            rest_start = at;
            i = at + 2;
            continue;
        }
        let Some(close) = text[at + 2..].find('}') else {
            return Err(format!("line {}: `${{` without a closing `}}`", line_of(text, at)));
        };
        let name = text[at + 2..at + 2 + close].trim();
        if !is_param_name(name) {
            return Err(format!(
                "line {}: `${{{name}}}` is not a parameter name (letters, digits and _; write `$${{` for a literal `${{`)",
                line_of(text, at)
            ));
        }
        out.push(Segment::Text(&text[rest_start..at]));
        out.push(Segment::Param(name));
        i = at + 2 + close + 1;
        rest_start = i;
    }
    out.push(Segment::Text(&text[rest_start..]));
    Ok(out)
}

/// The parameters `text` refers to, in order of first use.
pub fn references(text: &str) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = vec![];
    for s in segments(text)? {
        if let Segment::Param(name) = s {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    Ok(names)
}

/// Defaults declared by `-- param: name=default` comment lines.
pub fn declared_defaults(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut defaults = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let Some(comment) = line.trim().strip_prefix("--") else {
            continue;
        };
        let Some(decl) = comment.trim().strip_prefix("param:") else {
            continue;
        };
        let (name, value) =
            parse_param_arg(decl.trim()).map_err(|e| format!("line {}: bad `-- param:` line: {e}", n + 1))?;
        defaults.insert(name, value.trim().to_string());
    }
    Ok(defaults)
}

/// `text` with every placeholder replaced by its value (escapes unescaped). A placeholder
/// without a value is an error naming it.
pub fn substitute(text: &str, values: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    for s in segments(text)? {
        match s {
            Segment::Text(t) => out.push_str(t),
            Segment::Param(name) => match values.get(name) {
                Some(v) => out.push_str(v),
                None => {
                    return Err(format!(
                        "parameter ${{{name}}} has no value: pass --param {name}=VALUE, or declare a default \
                         with a `-- param: {name}=DEFAULT` line"
                    ))
                }
            },
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn substitutes_and_unescapes() {
        let sql = "SELECT ${a} + ${ b }, '$${a}' WHERE x > ${a}";
        assert_eq!(
            substitute(sql, &values(&[("a", "1"), ("b", "2")])).unwrap(),
            "SELECT 1 + 2, '${a}' WHERE x > 1"
        );
        assert_eq!(references(sql).unwrap(), ["a", "b"]);
        assert_eq!(substitute("no params", &values(&[])).unwrap(), "no params");
    }

    #[test]
    fn missing_and_malformed_placeholders_are_errors() {
        let err = substitute("SELECT ${min_distance}", &values(&[])).unwrap_err();
        assert!(err.contains("${min_distance}") && err.contains("--param min_distance="), "{err}");
        let err = references("SELECT 1\nWHERE ${x").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        assert!(references("SELECT ${1x}").unwrap_err().contains("not a parameter name"));
    }

    #[test]
    fn header_lines_declare_defaults() {
        let text = "-- Title\n-- param: min_distance=2.5\n--param:  vendor = 'x'\nSELECT 1";
        assert_eq!(declared_defaults(text).unwrap(), values(&[("min_distance", "2.5"), ("vendor", "'x'")]));
        assert!(declared_defaults("-- param: 9=1").unwrap_err().contains("line 1"));
        assert_eq!(parse_param_arg("k=a=b").unwrap(), ("k".to_string(), "a=b".to_string()));
        assert!(parse_param_arg("novalue").is_err());
    }
}
