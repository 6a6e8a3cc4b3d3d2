//! The registry: every built-in registers once, names and aliases resolve, duplicates fail.

use arrow::datatypes::DataType;
use shoal_functions::{builtin_functions, FunctionRegistry};

const EXPECTED: &[&str] = &[
    "lower",
    "upper",
    "length",
    "char_length",
    "character_length",
    "octet_length",
    "substr",
    "substring",
    "trim",
    "btrim",
    "ltrim",
    "rtrim",
    "concat",
    "concat_ws",
    "starts_with",
    "ends_with",
    "contains",
    "replace",
    "reverse",
    "repeat",
    "strpos",
    "instr",
    "left",
    "right",
    "lpad",
    "rpad",
    "split_part",
    "regexp_replace",
    "regexp_like",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "date_part",
    "date_trunc",
    "make_date",
    "to_timestamp",
    "strftime",
    "current_date",
    "now",
    "current_timestamp",
    "abs",
    "round",
    "floor",
    "ceil",
    "ceiling",
    "trunc",
    "sqrt",
    "cbrt",
    "power",
    "pow",
    "exp",
    "ln",
    "log10",
    "log2",
    "log",
    "sign",
    "pi",
    "random",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "atan2",
    "degrees",
    "radians",
];

#[test]
fn all_builtins_register_into_an_empty_registry() {
    let mut registry = FunctionRegistry::empty();
    for f in builtin_functions() {
        registry.register_scalar(f.clone()).unwrap_or_else(|e| panic!("{}: {e}", f.name()));
    }
    for name in EXPECTED {
        assert!(registry.scalar(name).is_some(), "missing {name}");
    }
    let default = FunctionRegistry::default();
    assert_eq!(default.names(), registry.names());
}

#[test]
fn registering_any_builtin_twice_fails() {
    let mut registry = FunctionRegistry::default();
    for f in builtin_functions() {
        let err = registry.register_scalar(f.clone()).expect_err("second registration must fail");
        assert!(err.to_string().contains("already registered"), "{err}");
    }
}

#[test]
fn lookups_are_case_insensitive_and_aliases_share_the_function() {
    let registry = FunctionRegistry::default();
    assert_eq!(registry.scalar("LOWER").map(|f| f.name().to_string()).as_deref(), Some("lower"));
    assert_eq!(registry.scalar("instr").map(|f| f.name().to_string()).as_deref(), Some("strpos"));
    assert_eq!(registry.scalar("Ceiling").map(|f| f.name().to_string()).as_deref(), Some("ceil"));
    assert!(registry.scalar("no_such_function").is_none());
}

#[test]
fn every_function_has_a_one_line_description_starting_with_its_usage() {
    let registry = FunctionRegistry::default();
    for f in builtin_functions() {
        let d = f.description();
        assert!(d.starts_with(&format!("{}(", f.name())), "{d}");
        assert!(d.contains(" -> ") && d.contains(": "), "{d}");
        assert!(!d.contains('\n'), "{d}");
    }
    let described = registry.describe_all();
    assert!(described.iter().any(|(n, d)| n == "lower" && d.starts_with("lower(string)")));
    assert!(described.iter().all(|(n, _)| n != "instr"), "aliases are folded");
}

#[test]
fn only_clock_and_random_functions_are_volatile() {
    let volatile: Vec<String> =
        builtin_functions().iter().filter(|f| !f.is_deterministic()).map(|f| f.name().to_string()).collect();
    // age(x) measures from today's date
    assert_eq!(volatile, ["random", "current_date", "now", "age"]);
}

#[test]
fn signature_errors_name_the_expected_usage() {
    let registry = FunctionRegistry::default();
    let lower = registry.scalar("lower").expect("lower");
    let err = lower.coerce_types(&[DataType::Int64]).expect_err("int");
    assert_eq!(err.to_string(), "expected lower(string) -> string, got arguments (Int64)");
    let err = lower.coerce_types(&[]).expect_err("arity");
    assert!(err.to_string().contains("got arguments ()"), "{err}");
    let substr = registry.scalar("substr").expect("substr");
    assert!(substr.coerce_types(&[DataType::Utf8, DataType::Float64]).is_err());
    assert_eq!(
        substr.coerce_types(&[DataType::LargeUtf8, DataType::Int32]).expect("ok"),
        [DataType::Utf8, DataType::Int64]
    );
}
