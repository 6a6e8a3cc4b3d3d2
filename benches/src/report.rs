//! Measuring one query on one engine, and printing the results table.

use std::time::Duration;

use anyhow::Result;
use shoal_difftest::ResultSet;

use crate::alloc;
use crate::engines::Engine;

/// One engine's numbers for one query.
pub struct Measurement {
    /// Median wall time of the timed runs.
    pub median: Duration,
    pub rows: usize,
    /// Peak bytes allocated above the level before the first (warm-up) run.
    pub peak_bytes: usize,
    /// The result of the last run.
    pub result: ResultSet,
}

/// One warm-up run, then `runs` timed runs; peak memory is tracked from the warm-up on.
pub fn measure(engine: &dyn Engine, sql: &str, runs: usize) -> Result<Measurement> {
    let baseline = alloc::reset_peak();
    drop(engine.run(sql)?);
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        // Free the previous result first so it does not count towards this run's peak.
        drop(last.take());
        let out = engine.run(sql)?;
        times.push(out.elapsed);
        last = Some(out);
    }
    let peak_bytes = alloc::peak_bytes().saturating_sub(baseline);
    let last = last.ok_or_else(|| anyhow::anyhow!("no timed run"))?;
    times.sort();
    Ok(Measurement { median: median(&times), rows: last.rows, peak_bytes, result: last.result })
}

/// The median of sorted durations (mean of the middle two for an even count).
pub fn median(sorted: &[Duration]) -> Duration {
    match sorted.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

/// The geometric mean of positive ratios (None when there are none).
pub fn geometric_mean(ratios: &[f64]) -> Option<f64> {
    let positive: Vec<f64> = ratios.iter().copied().filter(|r| *r > 0.0).collect();
    if positive.is_empty() {
        return None;
    }
    let log_sum: f64 = positive.iter().map(|r| r.ln()).sum();
    Some((log_sum / positive.len() as f64).exp())
}

/// Everything measured for one query.
pub struct QueryReport {
    pub name: String,
    pub shoal: Option<Result<Measurement, String>>,
    pub datafusion: Option<Result<Measurement, String>>,
    pub check: Option<Result<(), String>>,
}

impl QueryReport {
    fn ratio(&self) -> Option<f64> {
        match (&self.shoal, &self.datafusion) {
            (Some(Ok(s)), Some(Ok(d))) if d.median > Duration::ZERO => {
                Some(s.median.as_secs_f64() / d.median.as_secs_f64())
            }
            _ => None,
        }
    }
}

fn seconds(m: &Option<Result<Measurement, String>>) -> String {
    match m {
        None => "-".into(),
        Some(Ok(m)) => format!("{:.3}", m.median.as_secs_f64()),
        Some(Err(_)) => "error".into(),
    }
}

fn megabytes(m: &Option<Result<Measurement, String>>) -> String {
    match m {
        Some(Ok(m)) => format!("{:.1}", m.peak_bytes as f64 / (1024.0 * 1024.0)),
        Some(Err(_)) => "error".into(),
        None => "-".into(),
    }
}

/// Print the table, the geometric mean of the ratios, and any errors or differences.
pub fn print(reports: &[QueryReport]) {
    let header = ["query", "shoal s", "DF s", "shoal/DF", "rows", "shoal MB", "DF MB", "check"];
    let rows: Vec<[String; 8]> = reports
        .iter()
        .map(|r| {
            let rows = match (&r.shoal, &r.datafusion) {
                (Some(Ok(m)), _) | (_, Some(Ok(m))) => m.rows.to_string(),
                _ => "-".into(),
            };
            [
                r.name.clone(),
                seconds(&r.shoal),
                seconds(&r.datafusion),
                r.ratio().map_or("-".into(), |x| format!("{x:.2}")),
                rows,
                megabytes(&r.shoal),
                megabytes(&r.datafusion),
                match &r.check {
                    None => "-".into(),
                    Some(Ok(())) => "ok".into(),
                    Some(Err(_)) => "DIFF".into(),
                },
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (c, w))| if i == 0 { format!("{c:<w$}") } else { format!("{c:>w$}") })
            .collect();
        println!("{}", padded.join("  "));
    };
    line(&header.map(String::from));
    for row in &rows {
        line(row);
    }
    let ratios: Vec<f64> = reports.iter().filter_map(QueryReport::ratio).collect();
    if let Some(g) = geometric_mean(&ratios) {
        println!("geometric mean of shoal/DF: {g:.2} over {} queries", ratios.len());
    }
    for r in reports {
        for (engine, m) in [("shoal", &r.shoal), ("DataFusion", &r.datafusion)] {
            if let Some(Err(e)) = m {
                println!("\n{} failed in {engine}:\n{e}", r.name);
            }
        }
        if let Some(Err(diff)) = &r.check {
            println!("\n{}: results differ\n{diff}", r.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_geomean() {
        let ms = |v: u64| Duration::from_millis(v);
        assert_eq!(median(&[ms(1), ms(2), ms(9)]), ms(2));
        assert_eq!(median(&[ms(1), ms(3)]), ms(2));
        assert_eq!(median(&[]), Duration::ZERO);
        let g = geometric_mean(&[0.5, 2.0, 4.0]).unwrap();
        assert!((g - 4f64.powf(1.0 / 3.0)).abs() < 1e-12);
        assert_eq!(geometric_mean(&[]), None);
    }
}
