//! String functions on arrays with NULLs and on scalars.

mod common;

use common::*;

#[test]
fn case_mapping() {
    let input = || strs(&[Some("Hello"), None, Some("ÀÉ straße"), Some("")]);
    assert_eq!(run("lower", vec![input()], 4), ["hello", "NULL", "àé straße", ""]);
    assert_eq!(run("upper", vec![input()], 4), ["HELLO", "NULL", "ÀÉ STRASSE", ""]);
    assert_eq!(run("upper", vec![strs(&[Some("abc"), None])], 2), ["ABC", "NULL"]);
    assert_eq!(one("lower", vec![s("ABC")]), "abc");
    assert_eq!(one("upper", vec![null()]), "NULL");
}

#[test]
fn lengths_count_characters_or_bytes() {
    let input = || strs(&[Some("héllo"), None, Some(""), Some("abc")]);
    assert_eq!(run("length", vec![input()], 4), ["5", "NULL", "0", "3"]);
    assert_eq!(run("char_length", vec![strs(&[Some("ab"), None])], 2), ["2", "NULL"]);
    assert_eq!(run("octet_length", vec![input()], 4), ["6", "NULL", "0", "3"]);
    assert_eq!(one("character_length", vec![s("日本")]), "2");
    assert_eq!(one("octet_length", vec![s("日本")]), "6");
}

#[test]
fn substr_uses_postgres_positions() {
    let input = || strs(&[Some("hello"), None, Some("héllo")]);
    assert_eq!(run("substr", vec![input(), i(2), i(3)], 3), ["ell", "NULL", "éll"]);
    assert_eq!(run("substring", vec![input(), i(3)], 3), ["llo", "NULL", "llo"]);
    assert_eq!(
        run("substr", vec![s("hello"), ints(&[Some(0), Some(-1), None, Some(9)]), i(2)], 4),
        ["h", "", "NULL", ""]
    );
    assert_eq!(one("substr", vec![s("hello"), i(0), i(2)]), "h");
    assert_eq!(one("substr", vec![s("hello"), null()]), "NULL");
    let err = error("substr", vec![s("hello"), i(1), i(-1)], 1);
    assert!(err.contains("negative substring length"), "{err}");
}

#[test]
fn trimming() {
    let input = || strs(&[Some("  a b  "), None, Some("xxaxx")]);
    assert_eq!(run("trim", vec![input()], 3), ["a b", "NULL", "xxaxx"]);
    assert_eq!(run("ltrim", vec![input()], 3), ["a b  ", "NULL", "xxaxx"]);
    assert_eq!(run("rtrim", vec![input()], 3), ["  a b", "NULL", "xxaxx"]);
    assert_eq!(run("btrim", vec![input(), s("x ")], 3), ["a b", "NULL", "a"]);
    assert_eq!(one("ltrim", vec![s("xyxzab"), s("xyz")]), "ab");
    assert_eq!(one("rtrim", vec![s("abxx"), null()]), "NULL");
}

#[test]
fn concat_skips_nulls_and_casts() {
    assert_eq!(run("concat", vec![strs(&[Some("a"), None, Some("c")]), i(1), null()], 3), ["a1", "1", "c1"]);
    assert_eq!(one("concat", vec![null()]), "");
    assert_eq!(one("concat", vec![s("x"), f(2.5), b(true)]), "x2.5true");
    assert_eq!(
        run("concat_ws", vec![s(","), strs(&[Some("a"), None, Some("c")]), s("z")], 3),
        ["a,z", "z", "c,z"]
    );
    assert_eq!(run("concat_ws", vec![strs(&[Some("-"), None]), s("a"), s("b")], 2), ["a-b", "NULL"]);
    assert_eq!(one("concat_ws", vec![s("/"), null(), null()]), "");
}

#[test]
fn predicates() {
    let input = || strs(&[Some("hello"), None, Some("yellow")]);
    assert_eq!(run("starts_with", vec![input(), s("he")], 3), ["true", "NULL", "false"]);
    assert_eq!(run("ends_with", vec![input(), s("low")], 3), ["false", "NULL", "true"]);
    assert_eq!(run("contains", vec![input(), s("ell")], 3), ["true", "NULL", "true"]);
    assert_eq!(
        run("contains", vec![s("abc"), strs(&[Some("b"), Some("x"), None])], 3),
        ["true", "false", "NULL"]
    );
    assert_eq!(one("starts_with", vec![s("abc"), s("")]), "true");
    assert_eq!(one("ends_with", vec![null(), s("c")]), "NULL");
}

#[test]
fn replace_reverse_repeat() {
    assert_eq!(run("replace", vec![strs(&[Some("abcabc"), None]), s("b"), s("XY")], 2), ["aXYcaXYc", "NULL"]);
    assert_eq!(one("replace", vec![s("abc"), s(""), s("x")]), "abc");
    assert_eq!(one("replace", vec![s("abc"), s("b"), null()]), "NULL");
    assert_eq!(run("reverse", vec![strs(&[Some("héllo"), None])], 2), ["olléh", "NULL"]);
    assert_eq!(
        run("repeat", vec![s("ab"), ints(&[Some(3), Some(0), Some(-1), None])], 4),
        ["ababab", "", "", "NULL"]
    );
    let err = error("repeat", vec![s("ab"), i(1 << 40)], 1);
    assert!(err.contains("too large"), "{err}");
}

#[test]
fn strpos_is_one_based() {
    assert_eq!(run("strpos", vec![strs(&[Some("héllo"), Some("abc"), None]), s("l")], 3), ["3", "0", "NULL"]);
    assert_eq!(one("instr", vec![s("abc"), s("")]), "1");
    assert_eq!(one("strpos", vec![s("abc"), s("c")]), "3");
}

#[test]
fn left_right() {
    let input = || strs(&[Some("héllo"), None]);
    assert_eq!(run("left", vec![input(), i(2)], 2), ["hé", "NULL"]);
    assert_eq!(run("left", vec![input(), i(-2)], 2), ["hél", "NULL"]);
    assert_eq!(run("right", vec![input(), i(2)], 2), ["lo", "NULL"]);
    assert_eq!(run("right", vec![input(), i(-2)], 2), ["llo", "NULL"]);
    assert_eq!(one("left", vec![s("ab"), i(10)]), "ab");
    assert_eq!(one("right", vec![s("ab"), i(-10)]), "");
}

#[test]
fn padding() {
    let input = || strs(&[Some("hi"), None, Some("hello")]);
    assert_eq!(run("lpad", vec![input(), i(5)], 3), ["   hi", "NULL", "hello"]);
    assert_eq!(run("rpad", vec![input(), i(6), s("xy")], 3), ["hixyxy", "NULL", "hellox"]);
    assert_eq!(run("lpad", vec![input(), i(3), s("ab")], 3), ["ahi", "NULL", "hel"]);
    assert_eq!(one("lpad", vec![s("hi"), i(5), s("")]), "hi");
    assert_eq!(one("rpad", vec![s("hi"), i(-1)]), "");
    assert_eq!(one("lpad", vec![s("hi"), i(4), null()]), "NULL");
}

#[test]
fn split_part_fields() {
    let input = || strs(&[Some("a,b,c"), None, Some("abc")]);
    assert_eq!(run("split_part", vec![input(), s(","), i(2)], 3), ["b", "NULL", ""]);
    assert_eq!(run("split_part", vec![input(), s(","), i(-1)], 3), ["c", "NULL", "abc"]);
    assert_eq!(one("split_part", vec![s("a,b"), s(","), i(5)]), "");
    assert_eq!(one("split_part", vec![s("a,b"), s(""), i(1)]), "a,b");
    let err = error("split_part", vec![s("a,b"), s(","), i(0)], 1);
    assert!(err.contains("must not be zero"), "{err}");
}

#[test]
fn regexp_replace_and_like() {
    let input = || strs(&[Some("foo bar foo"), None, Some("FOO")]);
    assert_eq!(run("regexp_replace", vec![input(), s("fo+"), s("X")], 3), ["X bar foo", "NULL", "FOO"]);
    assert_eq!(run("regexp_replace", vec![input(), s("fo+"), s("X"), s("gi")], 3), ["X bar X", "NULL", "X"]);
    assert_eq!(
        one("regexp_replace", vec![s("john smith"), s("(\\w+) (\\w+)"), s("\\2, \\1")]),
        "smith, john"
    );
    assert_eq!(one("regexp_replace", vec![s("a$b"), s("\\$"), s("$")]), "a$b");
    assert_eq!(
        run("regexp_replace", vec![s("abc"), strs(&[Some("b"), Some("[ac]"), None]), s("-")], 3),
        ["a-c", "-bc", "NULL"]
    );
    assert_eq!(run("regexp_like", vec![input(), s("^foo")], 3), ["true", "NULL", "false"]);
    assert_eq!(run("regexp_like", vec![input(), s("^foo"), s("i")], 3), ["true", "NULL", "true"]);
    let err = error("regexp_like", vec![s("a"), s("(")], 1);
    assert!(err.contains("invalid regular expression"), "{err}");
    let err = error("regexp_replace", vec![s("a"), s("a"), s("b"), s("q")], 1);
    assert!(err.contains("invalid regular expression option"), "{err}");
}

#[test]
fn type_errors_are_plan_errors() {
    let err = error("lower", vec![i(1)], 1);
    assert!(err.contains("expected lower(string) -> string"), "{err}");
    let err = error("concat_ws", vec![s(",")], 1);
    assert!(err.contains("concat_ws(separator, value, ...)"), "{err}");
}
