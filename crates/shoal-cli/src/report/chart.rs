//! SVG charts of small numeric results, drawn with `plotters`.
//!
//! A result is charted when it has 1 to [`MAX_CHART_ROWS`] rows, a first column of distinct
//! labels, and only numeric columns after it. Each numeric column gets its own panel (so columns
//! of different scales stay readable), at most [`MAX_PANELS`]. The x axis is a line chart when
//! the labels are dates or timestamps in ascending order, or ascending numbers with at least
//! [`MIN_LINE_POINTS`] points (hours of the day, years); otherwise a bar chart with one bar per
//! label.

use std::collections::HashSet;

use arrow::array::{Array, AsArray};
use arrow::compute::{cast, concat_batches};
use arrow::datatypes::{DataType, Float64Type, Int64Type, SchemaRef};
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

/// Results with more rows than this are not charted.
pub const MAX_CHART_ROWS: usize = 50;
/// At most this many numeric columns are drawn (one panel each).
pub const MAX_PANELS: usize = 4;
/// Ascending numeric labels make a line chart from this many points on.
pub const MIN_LINE_POINTS: usize = 8;

const WIDTH: u32 = 800;
const PANEL_HEIGHT: u32 = 260;
const TITLE_HEIGHT: u32 = 40;

/// How x values are shown.
#[derive(Debug, Clone, Copy, PartialEq)]
enum XAxis {
    /// One bar per label.
    Categories,
    /// Numbers on a continuous axis.
    Numbers,
    /// Days since 1970-01-01.
    Days,
    /// Milliseconds since 1970-01-01 00:00:00.
    Millis,
}

/// The data of a chart, extracted from a result.
#[derive(Debug)]
struct ChartData {
    axis: XAxis,
    labels: Vec<String>,
    /// x positions (for line charts).
    xs: Vec<f64>,
    series: Vec<(String, Vec<Option<f64>>)>,
}

/// An SVG chart of the result, or `None` when it is not a small numeric result.
pub fn chart_svg(title: &str, schema: &SchemaRef, batches: &[RecordBatch]) -> Result<Option<String>, String> {
    let Some(data) = chart_data(schema, batches).map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    draw(title, &data).map(Some)
}

fn chart_data(
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<Option<ChartData>, arrow::error::ArrowError> {
    let fields = schema.fields();
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    if rows == 0 || rows > MAX_CHART_ROWS || fields.len() < 2 {
        return Ok(None);
    }
    if !fields.iter().skip(1).all(|f| f.data_type().is_numeric()) {
        return Ok(None);
    }
    let batch = concat_batches(schema, batches)?;
    let x = batch.column(0);
    let formatter = ArrayFormatter::try_new(x.as_ref(), &FormatOptions::default().with_null("NULL"))?;
    let labels: Vec<String> = (0..rows).map(|r| formatter.value(r).to_string()).collect();
    if labels.iter().collect::<HashSet<_>>().len() != rows {
        return Ok(None); // not one row per label
    }
    let mut series = vec![];
    for (field, column) in fields.iter().zip(batch.columns()).skip(1).take(MAX_PANELS) {
        let values = cast(column, &DataType::Float64)?;
        let values: Vec<Option<f64>> =
            values.as_primitive::<Float64Type>().iter().map(|v| v.filter(|v| v.is_finite())).collect();
        if values.iter().any(Option::is_some) {
            series.push((field.name().clone(), values));
        }
    }
    if series.is_empty() {
        return Ok(None);
    }
    let (axis, xs) = x_axis(x.as_ref())?;
    Ok(Some(ChartData { axis, labels, xs, series }))
}

/// The kind of x axis, and the x positions for a line chart.
fn x_axis(x: &dyn Array) -> Result<(XAxis, Vec<f64>), arrow::error::ArrowError> {
    let categories = Ok((XAxis::Categories, vec![]));
    if x.null_count() > 0 {
        return categories;
    }
    let (axis, xs): (XAxis, Vec<f64>) = match x.data_type() {
        DataType::Date32 => (XAxis::Days, as_f64(&cast(x, &DataType::Int64)?)),
        DataType::Date64 => (XAxis::Millis, as_f64(&cast(x, &DataType::Int64)?)),
        DataType::Timestamp(_, tz) => {
            let millis = cast(x, &DataType::Timestamp(arrow::datatypes::TimeUnit::Millisecond, tz.clone()))?;
            (XAxis::Millis, as_f64(&cast(&millis, &DataType::Int64)?))
        }
        t if t.is_numeric() && x.len() >= MIN_LINE_POINTS => {
            let xs = cast(x, &DataType::Float64)?;
            (XAxis::Numbers, xs.as_primitive::<Float64Type>().values().to_vec())
        }
        _ => return categories,
    };
    let ascending = xs.windows(2).all(|w| w[0] < w[1]) && xs.iter().all(|v| v.is_finite());
    if ascending {
        Ok((axis, xs))
    } else {
        categories
    }
}

fn as_f64(ints: &arrow::array::ArrayRef) -> Vec<f64> {
    ints.as_primitive::<Int64Type>().values().iter().map(|&v| v as f64).collect()
}

/// The y range of a panel: always includes 0, padded by 5%.
fn y_range(values: &[Option<f64>]) -> (f64, f64) {
    let (lo, hi) = values.iter().flatten().fold((0.0f64, 0.0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    (if lo < 0.0 { lo - span * 0.05 } else { lo }, hi + span * 0.05)
}

/// A tick label for an x value on a continuous axis.
fn x_label(axis: XAxis, v: f64) -> String {
    let millis = match axis {
        XAxis::Days => v * 86_400_000.0,
        XAxis::Millis => v,
        XAxis::Numbers | XAxis::Categories => return format!("{v}"),
    };
    match chrono::DateTime::from_timestamp_millis(millis.round() as i64) {
        Some(t) if axis == XAxis::Days => t.format("%Y-%m-%d").to_string(),
        Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        None => String::new(),
    }
}

/// A y tick label: whole numbers from 100 on, else at most 3 decimals.
fn y_tick(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{}", (v * 1000.0).round() / 1000.0)
    }
}

/// A label cut to at most 14 characters.
fn short(label: &str) -> String {
    if label.chars().count() <= 14 {
        label.to_string()
    } else {
        format!("{}…", label.chars().take(13).collect::<String>())
    }
}

fn draw(title: &str, data: &ChartData) -> Result<String, String> {
    let panels = data.series.len() as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, TITLE_HEIGHT + PANEL_HEIGHT * panels))
            .into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let root = root.titled(title, ("sans-serif", 18)).map_err(|e| e.to_string())?;
        let areas = root.split_evenly((data.series.len(), 1));
        for (i, (area, (name, values))) in areas.iter().zip(&data.series).enumerate() {
            let color = Palette99::pick(i).to_rgba();
            if data.axis == XAxis::Categories {
                draw_bars(area, name, &data.labels, values, color)?;
            } else {
                draw_line(area, name, data, values, color)?;
            }
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

fn draw_bars(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    name: &str,
    labels: &[String],
    values: &[Option<f64>],
    color: RGBAColor,
) -> Result<(), String> {
    let (lo, hi) = y_range(values);
    // A segmented range `0..last` has one segment per value of `0..=last`.
    let last = i32::try_from(labels.len()).unwrap_or(i32::MAX).saturating_sub(1).max(0);
    let mut chart = ChartBuilder::on(area)
        .caption(name, ("sans-serif", 14))
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(70)
        .build_cartesian_2d((0..last).into_segmented(), lo..hi)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(labels.len())
        .y_label_formatter(&|v| y_tick(*v))
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => {
                usize::try_from(*i).ok().and_then(|i| labels.get(i)).map(|l| short(l)).unwrap_or_default()
            }
            _ => String::new(),
        })
        .draw()
        .map_err(|e| e.to_string())?;
    let bars = values.iter().enumerate().filter_map(|(i, v)| {
        let (i, v) = (i32::try_from(i).ok()?, (*v)?);
        let mut bar =
            Rectangle::new([(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), v)], color.filled());
        bar.set_margin(0, 0, 4, 4);
        Some(bar)
    });
    chart.draw_series(bars).map_err(|e| e.to_string())?;
    Ok(())
}

fn draw_line(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    name: &str,
    data: &ChartData,
    values: &[Option<f64>],
    color: RGBAColor,
) -> Result<(), String> {
    let (lo, hi) = y_range(values);
    let (first, last) = match (data.xs.first(), data.xs.last()) {
        (Some(&a), Some(&b)) if b > a => (a, b),
        (Some(&a), _) => (a - 1.0, a + 1.0),
        _ => (0.0, 1.0),
    };
    let axis = data.axis;
    let mut chart = ChartBuilder::on(area)
        .caption(name, ("sans-serif", 14))
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(70)
        .build_cartesian_2d(first..last, lo..hi)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_labels(6)
        .x_label_formatter(&|v| x_label(axis, *v))
        .y_label_formatter(&|v| y_tick(*v))
        .draw()
        .map_err(|e| e.to_string())?;
    let points: Vec<(f64, f64)> = data.xs.iter().zip(values).filter_map(|(x, y)| Some((*x, (*y)?))).collect();
    chart
        .draw_series(LineSeries::new(points.iter().copied(), color.stroke_width(2)))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(points.iter().map(|p| Circle::new(*p, 3, color.filled())))
        .map_err(|e| e.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Date32Array, Int64Array, StringArray};
    use arrow::datatypes::{Field, Schema};

    use super::*;

    fn batch(columns: Vec<(&str, arrow::array::ArrayRef)>) -> (SchemaRef, Vec<RecordBatch>) {
        let schema = Arc::new(Schema::new(
            columns.iter().map(|(n, a)| Field::new(*n, a.data_type().clone(), true)).collect::<Vec<_>>(),
        ));
        let b = RecordBatch::try_new(schema.clone(), columns.into_iter().map(|(_, a)| a).collect()).unwrap();
        (schema, vec![b])
    }

    #[test]
    fn categories_make_a_bar_chart() {
        let (schema, batches) = batch(vec![
            ("payment", Arc::new(StringArray::from(vec![Some("card"), None, Some("cash")]))),
            ("trips", Arc::new(Int64Array::from(vec![5, 7, 2]))),
        ]);
        let data = chart_data(&schema, &batches).unwrap().unwrap();
        assert_eq!(data.axis, XAxis::Categories);
        assert_eq!(data.labels, ["card", "NULL", "cash"]);
        let svg = chart_svg("Trips", &schema, &batches).unwrap().unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{svg}");
        assert!(svg.contains("<rect") && svg.contains("\ncash\n") && svg.contains("\nTrips\n"), "{svg}");
    }

    #[test]
    fn ascending_dates_make_a_line_chart() {
        let (schema, batches) = batch(vec![
            ("day", Arc::new(Date32Array::from(vec![19000, 19001, 19003]))),
            ("revenue", Arc::new(Int64Array::from(vec![Some(10), None, Some(30)]))),
        ]);
        let data = chart_data(&schema, &batches).unwrap().unwrap();
        assert_eq!(data.axis, XAxis::Days);
        assert_eq!(data.xs, [19000.0, 19001.0, 19003.0]);
        assert_eq!(x_label(XAxis::Days, 19000.0), "2022-01-08");
        let svg = chart_svg("Revenue", &schema, &batches).unwrap().unwrap();
        assert!(svg.contains("<polyline") || svg.contains("<path"), "{svg}");
    }

    #[test]
    fn big_repeated_or_textual_results_are_not_charted() {
        let many = batch(vec![
            ("x", Arc::new(Int64Array::from_iter_values(0..51))),
            ("y", Arc::new(Int64Array::from_iter_values(0..51))),
        ]);
        assert!(chart_data(&many.0, &many.1).unwrap().is_none());
        let repeated = batch(vec![
            ("x", Arc::new(Int64Array::from(vec![1, 1]))),
            ("y", Arc::new(Int64Array::from(vec![1, 2]))),
        ]);
        assert!(chart_data(&repeated.0, &repeated.1).unwrap().is_none());
        let text = batch(vec![
            ("x", Arc::new(Int64Array::from(vec![1, 2]))),
            ("y", Arc::new(StringArray::from(vec!["a", "b"]))),
        ]);
        assert!(chart_data(&text.0, &text.1).unwrap().is_none());
        let hours = batch(vec![
            ("hour", Arc::new(Int64Array::from_iter_values(0..24))),
            ("trips", Arc::new(Int64Array::from_iter_values(100..124))),
        ]);
        assert_eq!(chart_data(&hours.0, &hours.1).unwrap().unwrap().axis, XAxis::Numbers);
    }
}
