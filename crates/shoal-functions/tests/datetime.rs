//! date_part, date_trunc, make_date, to_timestamp, strftime, current_date and now.

mod common;

use common::*;

/// 2024-08-17 13:45:12.5 UTC (a Saturday), in microseconds.
const T: i64 = 1_723_902_312_500_000;
/// 2024-08-17 as days since the epoch.
const D: i32 = 19_952;

#[test]
fn date_part_of_timestamps() {
    let x = || tss(&[Some(T), None, Some(-750_000)]);
    let part = |field: &str| run("date_part", vec![s(field), x()], 3);
    assert_eq!(part("year"), ["2024", "NULL", "1969"]);
    assert_eq!(part("quarter"), ["3", "NULL", "4"]);
    assert_eq!(part("month"), ["8", "NULL", "12"]);
    assert_eq!(part("week"), ["33", "NULL", "1"]);
    assert_eq!(part("day"), ["17", "NULL", "31"]);
    assert_eq!(part("dow"), ["6", "NULL", "3"]);
    assert_eq!(part("isodow"), ["6", "NULL", "3"]);
    assert_eq!(part("doy"), ["230", "NULL", "365"]);
    assert_eq!(part("hour"), ["13", "NULL", "23"]);
    assert_eq!(part("minute"), ["45", "NULL", "59"]);
    assert_eq!(part("second"), ["12", "NULL", "59"]);
    assert_eq!(part("millisecond"), ["12500", "NULL", "59250"]);
    assert_eq!(part("microsecond"), ["12500000", "NULL", "59250000"]);
    assert_eq!(part("epoch"), ["1723902312.5", "NULL", "-0.75"]);
    assert_eq!(part("YEARS"), ["2024", "NULL", "1969"]);
}

#[test]
fn date_part_of_dates_zones_and_scalars() {
    assert_eq!(run("date_part", vec![s("day"), dates(&[Some(D), None])], 2), ["17", "NULL"]);
    assert_eq!(run("date_part", vec![s("hour"), dates(&[Some(D)])], 1), ["0"]);
    assert_eq!(run("date_part", vec![s("epoch"), dates(&[Some(1)])], 1), ["86400.0"]);
    assert_eq!(
        run("date_part", vec![s("hour"), tss_tz(&[Some(T), None], "America/New_York")], 2),
        ["9", "NULL"]
    );
    assert_eq!(one("date_part", vec![s("year"), date(D)]), "2024");
    assert_eq!(one("date_part", vec![s("month"), null()]), "NULL");
    assert_eq!(one("date_part", vec![null(), ts(T)]), "NULL");
}

#[test]
fn date_part_errors() {
    let err = error("date_part", vec![s("fortnight"), ts(T)], 1);
    assert!(err.contains("unknown field 'fortnight'"), "{err}");
    let err = error("date_part", vec![s("year"), s("2024-01-01")], 1);
    assert!(err.contains("cast it"), "{err}");
    let err = error("date_part", vec![s("year"), i(1)], 1);
    assert!(err.contains("expected date_part(field, date_or_timestamp)"), "{err}");
}

#[test]
fn date_trunc_keeps_timestamp_type() {
    let x = || tss(&[Some(T), None, Some(-750_000)]);
    let trunc = |field: &str| run("date_trunc", vec![s(field), x()], 3);
    assert_eq!(trunc("year"), ["2024-01-01T00:00:00", "NULL", "1969-01-01T00:00:00"]);
    assert_eq!(trunc("quarter"), ["2024-07-01T00:00:00", "NULL", "1969-10-01T00:00:00"]);
    assert_eq!(trunc("month"), ["2024-08-01T00:00:00", "NULL", "1969-12-01T00:00:00"]);
    assert_eq!(trunc("week"), ["2024-08-12T00:00:00", "NULL", "1969-12-29T00:00:00"]);
    assert_eq!(trunc("day"), ["2024-08-17T00:00:00", "NULL", "1969-12-31T00:00:00"]);
    assert_eq!(trunc("hour"), ["2024-08-17T13:00:00", "NULL", "1969-12-31T23:00:00"]);
    assert_eq!(trunc("minute"), ["2024-08-17T13:45:00", "NULL", "1969-12-31T23:59:00"]);
    assert_eq!(trunc("second"), ["2024-08-17T13:45:12", "NULL", "1969-12-31T23:59:59"]);
}

#[test]
fn date_trunc_of_dates_and_zones() {
    assert_eq!(
        run("date_trunc", vec![s("month"), dates(&[Some(D), None])], 2),
        ["2024-08-01T00:00:00", "NULL"]
    );
    assert_eq!(
        run("date_trunc", vec![s("day"), tss_tz(&[Some(T), None], "America/New_York")], 2),
        ["2024-08-17T00:00:00-04:00", "NULL"]
    );
    // 2024-03-10 12:00 UTC is after New York's switch to DST; midnight was still EST
    assert_eq!(
        run("date_trunc", vec![s("day"), tss_tz(&[Some(1_710_072_000_000_000)], "America/New_York")], 1),
        ["2024-03-10T00:00:00-05:00"]
    );
    assert_eq!(one("date_trunc", vec![s("year"), date(D)]), "2024-01-01T00:00:00");
    let err = error("date_trunc", vec![s("dow"), ts(T)], 1);
    assert!(err.contains("cannot truncate"), "{err}");
}

#[test]
fn make_date_builds_dates() {
    assert_eq!(
        run("make_date", vec![ints(&[Some(2024), None, Some(1999)]), i(2), i(28)], 3),
        ["2024-02-28", "NULL", "1999-02-28"]
    );
    assert_eq!(one("make_date", vec![i(2024), i(2), i(29)]), "2024-02-29");
    let err = error("make_date", vec![i(2023), i(2), i(29)], 1);
    assert!(err.contains("out of range: 2023-2-29"), "{err}");
}

#[test]
fn to_timestamp_parses_iso_and_formats() {
    assert_eq!(
        run(
            "to_timestamp",
            vec![strs(&[
                Some("2024-08-17 13:45:12.5"),
                None,
                Some("2024-08-17"),
                Some("2024-08-17T01:02:03Z")
            ])],
            4
        ),
        ["2024-08-17T13:45:12.500", "NULL", "2024-08-17T00:00:00", "2024-08-17T01:02:03"]
    );
    assert_eq!(one("to_timestamp", vec![s("17/08/2024 13:45"), s("%d/%m/%Y %H:%M")]), "2024-08-17T13:45:00");
    assert_eq!(one("to_timestamp", vec![s("17/08/2024"), s("%d/%m/%Y")]), "2024-08-17T00:00:00");
    assert_eq!(one("to_timestamp", vec![i(86_400)]), "1970-01-02T00:00:00");
    assert_eq!(one("to_timestamp", vec![f(1.5)]), "1970-01-01T00:00:01.500");
    let err = error("to_timestamp", vec![strs(&[Some("2024-01-01"), Some("soon")])], 2);
    assert!(err.contains("cannot parse 'soon'"), "{err}");
    let err = error("to_timestamp", vec![s("2024"), s("%d/%m")], 1);
    assert!(err.contains("cannot parse '2024' with format '%d/%m'"), "{err}");
}

#[test]
fn strftime_formats() {
    assert_eq!(
        run("strftime", vec![tss(&[Some(T), None]), s("%Y/%m/%d %H:%M:%S")], 2),
        ["2024/08/17 13:45:12", "NULL"]
    );
    assert_eq!(one("strftime", vec![date(D), s("%A %-d %B")]), "Saturday 17 August");
    assert_eq!(
        run("strftime", vec![tss_tz(&[Some(T)], "America/New_York"), s("%H:%M %z")], 1),
        ["09:45 -0400"]
    );
    let err = error("strftime", vec![ts(T), s("%Q")], 1);
    assert!(err.contains("invalid format"), "{err}");
    let err = error("strftime", vec![ts(T), s("%z")], 1);
    assert!(err.contains("time zone"), "{err}");
}

#[test]
fn clock_functions_return_scalars_of_today() {
    let today = one("current_date", vec![]);
    let now = one("now", vec![]);
    assert!(now.starts_with(&today), "{now} vs {today}");
    assert!(one("current_timestamp", vec![]).len() >= 19);
}
