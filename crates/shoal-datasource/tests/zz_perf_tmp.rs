mod common;
use std::sync::Arc;
use std::time::Instant;
use shoal_datasource::{CsvOptions, CsvTable};
use shoal_expr::TableSource;

#[test]
fn perf_smoke() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("taxi.csv");
    let mut text = String::from("vendor,pickup,dropoff,passengers,distance,flag,amount,note\n");
    for i in 0..300_000u64 {
        text.push_str(&format!("{},2024-01-{:02} {:02}:{:02}:{:02},2024-01-{:02} {:02}:{:02}:{:02},{},{}.{},N,{}.{:02},zone{}\n",
            i % 3, i % 28 + 1, i % 24, i % 60, (i*7) % 60, i % 28 + 1, (i+1) % 24, i % 60, (i*3) % 60, i % 6, i % 50, i % 10, i % 300, i % 100, i % 263));
    }
    std::fs::write(&path, &text).unwrap();
    println!("size {} MB", text.len() / 1_000_000);
    let t0 = Instant::now();
    let t = CsvTable::try_new(path.to_str().unwrap(), CsvOptions { morsel_bytes: 4 << 20, ..Default::default() }).unwrap();
    println!("open {:?} schema {:?}", t0.elapsed(), t.schema().fields().iter().map(|f| f.data_type().to_string()).collect::<Vec<_>>());
    let t0 = Instant::now();
    let b = common::collect(t.scan(None, &[], None).unwrap().as_ref()).unwrap();
    println!("shoal scan {:?} rows {}", t0.elapsed(), common::row_count(&b));
    let t0 = Instant::now();
    let reader = arrow::csv::ReaderBuilder::new(Arc::clone(&t.schema())).with_header(true).with_batch_size(8192).build(std::fs::File::open(&path).unwrap()).unwrap();
    let n: usize = reader.map(|b| b.unwrap().num_rows()).sum();
    println!("arrow scan {:?} rows {n}", t0.elapsed());
}
