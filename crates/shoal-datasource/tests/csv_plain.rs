//! The fast path for CSV ranges without quotes, checked against expected values and against
//! the general (Arrow decoder) path: CRLF, blank lines, NULLs, batches, morsel boundaries,
//! located errors, and ranges that fall back because they hold quotes or a lone `\r`.

mod common;

use std::sync::Arc;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::compute::concat_batches;
use arrow::datatypes::{
    DataType, Date32Type, Field, Float64Type, Schema, TimeUnit, TimestampMicrosecondType,
};
use common::{collect, i64_column, open_csv as open, row_count, str_column, write_text as write};
use shoal_common::ShoalError;
use shoal_datasource::{CsvOptions, CsvTable};
use shoal_expr::TableSource;

fn read(table: &CsvTable, projection: Option<&[usize]>) -> Vec<RecordBatch> {
    collect(table.scan(projection, &[], None).unwrap().as_ref()).unwrap()
}

fn concat(batches: &[RecordBatch]) -> RecordBatch {
    concat_batches(&batches[0].schema(), batches).unwrap()
}

/// `(line, column, message)` of a failing full scan.
fn scan_error(table: &CsvTable) -> (Option<u64>, Option<String>, String) {
    match collect(table.scan(None, &[], None).unwrap().as_ref()).unwrap_err() {
        ShoalError::Data { location, message } => (location.line, location.column, message),
        other => panic!("expected a data error, got {other}"),
    }
}

fn f64_column(batches: &[RecordBatch], col: usize) -> Vec<Option<f64>> {
    let b = concat(batches);
    let a = b.column(col).as_primitive::<Float64Type>();
    (0..a.len()).map(|i| (!a.is_null(i)).then(|| a.value(i))).collect()
}

/// Rows `id,name,x,day,at` with a NULL in every column now and then.
fn sample_text(rows: usize, newline: &str) -> String {
    let mut text = format!("id,name,x,day,at{newline}");
    for i in 0..rows {
        let name = if i % 11 == 3 { String::new() } else { format!("n{}", "w".repeat(i % 5)) };
        let x = if i % 13 == 4 { String::new() } else { format!("{}", i as f64 / 8.0) };
        let day = if i % 17 == 5 { String::new() } else { format!("2024-01-{:02}", i % 28 + 1) };
        let at = if i % 19 == 6 { String::new() } else { format!("2024-02-03 04:05:{:02}.25", i % 60) };
        let id = if i % 23 == 7 { String::new() } else { i.to_string() };
        text.push_str(&format!("{id},{name},{x},{day},{at}{newline}"));
    }
    text
}

#[test]
fn plain_ranges_read_every_type_and_null() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "p.csv", &sample_text(1000, "\n"));
    let t = open(&path, CsvOptions { batch_size: 64, ..CsvOptions::default() });
    let types: Vec<DataType> = t.schema().fields().iter().map(|f| f.data_type().clone()).collect();
    assert_eq!(
        types,
        [
            DataType::Int64,
            DataType::Utf8,
            DataType::Float64,
            DataType::Date32,
            DataType::Timestamp(TimeUnit::Microsecond, None)
        ]
    );
    let batches = read(&t, None);
    assert!(batches.len() > 10, "several batches");
    assert_eq!(row_count(&batches), 1000);
    let ids = i64_column(&batches, 0);
    assert_eq!(&ids[..9], &[Some(0), Some(1), Some(2), Some(3), Some(4), Some(5), Some(6), None, Some(8)]);
    let names = str_column(&batches, 1);
    assert_eq!(names[3], None);
    assert_eq!(names[4].as_deref(), Some("nwwww"));
    let xs = f64_column(&batches, 2);
    assert_eq!((xs[4], xs[5]), (None, Some(0.625)));
    let b = concat(&batches);
    let days = b.column(3).as_primitive::<Date32Type>();
    assert!(days.is_null(5));
    assert_eq!(days.value(6), 19_723 + 6); // 2024-01-07
    let at = b.column(4).as_primitive::<TimestampMicrosecondType>();
    assert!(at.is_null(6));
    assert_eq!(at.value(7), 1_706_933_107_250_000); // 2024-02-03 04:05:07.25
    assert_eq!(days.null_count(), (0..1000).filter(|i| i % 17 == 5).count());
}

#[test]
fn plain_and_general_paths_agree_across_morsels_and_batches() {
    let dir = tempfile::tempdir().unwrap();
    let plain = sample_text(700, "\n");
    // Quoting every name sends every range through the general path.
    let quoted: String = plain
        .lines()
        .map(|l| {
            let mut f: Vec<String> = l.split(',').map(str::to_string).collect();
            if !f[1].is_empty() {
                f[1] = format!("\"{}\"", f[1]);
            }
            f.join(",") + "\n"
        })
        .collect();
    let plain_path = write(dir.path(), "plain.csv", &plain);
    let quoted_path = write(dir.path(), "quoted.csv", &quoted);
    let expected = concat(&read(&open(&quoted_path, CsvOptions::default()), None));
    for (morsel_bytes, batch_size) in [(1 << 20, 8192), (1, 3), (97, 1000), (1000, 7)] {
        let options = CsvOptions { morsel_bytes, batch_size, ..CsvOptions::default() };
        let got = read(&open(&plain_path, options.clone()), None);
        assert_eq!(concat(&got), expected, "morsel_bytes={morsel_bytes} batch_size={batch_size}");
        // A projection in another order.
        let got = read(&open(&plain_path, options), Some(&[4, 0]));
        let got = concat(&got);
        assert_eq!(got.column(0), expected.column(4));
        assert_eq!(got.column(1), expected.column(0));
    }
}

#[test]
fn crlf_blank_lines_and_a_last_line_without_newline() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "c.csv", "a,b,c\r\n1,x,\r\n\r\n\n2,,2.5\r\n3,z,1");
    let t = open(&path, CsvOptions { morsel_bytes: 5, ..CsvOptions::default() });
    let batches = read(&t, None);
    assert_eq!(i64_column(&batches, 0), [Some(1), Some(2), Some(3)]);
    assert_eq!(str_column(&batches, 1), [Some("x".into()), None, Some("z".into())]);
    assert_eq!(f64_column(&batches, 2), [None, Some(2.5), Some(1.0)]);
}

#[test]
fn quoted_fields_with_delimiters_and_newlines_fall_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,note\n");
    for i in 0..300 {
        text.push_str(&format!("{i},plain{i}\n"));
    }
    text.push_str("300,\"a,b\"\n301,\"two\nlines\"\n");
    let path = write(dir.path(), "q.csv", &text);
    let t = open(&path, CsvOptions { newlines_in_values: true, batch_size: 100, ..CsvOptions::default() });
    let batches = read(&t, None);
    let notes = str_column(&batches, 1);
    assert_eq!(notes.len(), 302);
    assert_eq!(notes[299].as_deref(), Some("plain299"));
    assert_eq!(notes[300].as_deref(), Some("a,b"));
    assert_eq!(notes[301].as_deref(), Some("two\nlines"));
}

#[test]
fn a_lone_carriage_return_ends_a_record_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "r.csv", "a,b\n1,x\r2,y\n");
    let batches = read(&open(&path, CsvOptions::default()), None);
    assert_eq!(i64_column(&batches, 0), [Some(1), Some(2)]);
    assert_eq!(str_column(&batches, 1), [Some("x".into()), Some("y".into())]);
}

#[test]
fn bad_values_and_field_counts_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,x\n");
    for i in 0..400 {
        text.push_str(&format!("{i},{}.5\n", i));
    }
    let bad = text.replacen("\n250,250.5\n", "\n250,25x\n", 1);
    let path = write(dir.path(), "bad.csv", &bad);
    let t = open(&path, CsvOptions { morsel_bytes: 128, infer_max_rows: 100, ..CsvOptions::default() });
    let (line, column, message) = scan_error(&t);
    assert_eq!((line, column.as_deref()), (Some(252), Some("x")));
    assert!(message.contains("'25x' does not fit inferred type DOUBLE"), "{message}");

    for (replacement, found) in [("\n250,250.5,1\n", 3), ("\n250\n", 1)] {
        let bad = text.replacen("\n250,250.5\n", replacement, 1);
        let path = write(dir.path(), "count.csv", &bad);
        let t = open(&path, CsvOptions { morsel_bytes: 300, infer_max_rows: 100, ..CsvOptions::default() });
        let (line, _, message) = scan_error(&t);
        assert_eq!(line, Some(252));
        assert_eq!(message, format!("expected 2 fields but found {found}"));
    }
}

#[test]
fn empty_value_in_a_not_null_column_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "n.csv", "a,b\n1,2\n,3\n");
    let schema = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int64, false),
        Field::new("b", DataType::Int64, true),
    ]));
    let t = open(&path, CsvOptions { schema: Some(schema), ..CsvOptions::default() });
    let (line, column, message) = scan_error(&t);
    assert_eq!((line, column.as_deref()), (Some(3), Some("a")));
    assert_eq!(message, "empty value (NULL) in a NOT NULL column");
}

#[test]
fn limits_and_empty_projections() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "l.csv", &sample_text(500, "\n"));
    let t = open(&path, CsvOptions { batch_size: 50, ..CsvOptions::default() });
    let batches = collect(t.scan(Some(&[0]), &[], Some(120)).unwrap().as_ref()).unwrap();
    assert_eq!(row_count(&batches), 120);
    assert_eq!(i64_column(&batches, 0)[119], Some(119));
    let batches = read(&t, Some(&[]));
    assert_eq!(row_count(&batches), 500);
    let path = write(dir.path(), "h.csv", "a,b\n");
    let t = open(&path, CsvOptions::default());
    assert_eq!(row_count(&read(&t, None)), 0);
}

#[test]
fn quoted_values_in_split_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,\"note\",x\n");
    for i in 0..400 {
        let note = match i % 4 {
            0 => format!("\"a,{i}\""),
            1 => format!("\"say \"\"hi\"\" {i}\""),
            2 => "\"\"".to_string(),
            _ => format!("plain{i}"),
        };
        text.push_str(&format!("{i},{note},\"{i}.5\"\n"));
    }
    let path = write(dir.path(), "q.csv", &text);
    // The same rows plus one with a quote inside an unquoted value, which sends the whole
    // file (one morsel) through the general path.
    let general = write(dir.path(), "g.csv", &format!("{text}400,x\"y,1\n"));
    let expected = read(&open(&general, CsvOptions { infer_max_rows: 10, ..CsvOptions::default() }), None);
    let expected = concat(&expected);
    assert_eq!(str_column(std::slice::from_ref(&expected), 1)[400].as_deref(), Some("x\"y"));
    let expected = expected.slice(0, 400);
    for morsel_bytes in [1 << 20, 100, 1000] {
        let t = open(&path, CsvOptions { morsel_bytes, batch_size: 33, ..CsvOptions::default() });
        let got = concat(&read(&t, None));
        assert_eq!(got, expected, "morsel_bytes={morsel_bytes}");
    }
    let notes = str_column(std::slice::from_ref(&expected), 1);
    assert_eq!(notes[0].as_deref(), Some("a,0"));
    assert_eq!(notes[1].as_deref(), Some("say \"hi\" 1"));
    assert_eq!(notes[2], None);
    assert_eq!(notes[3].as_deref(), Some("plain3"));
    assert_eq!(f64_column(&[expected], 2)[7], Some(7.5));
}

#[test]
fn text_after_a_closing_quote_is_read_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "t.csv", "a,b\n1,\"ab\"c\n2,d\n");
    let batches = read(&open(&path, CsvOptions::default()), None);
    assert_eq!(str_column(&batches, 1), [Some("abc".into()), Some("d".into())]);
}
