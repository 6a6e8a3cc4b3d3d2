mod common;
#[test]
fn show() {
    let sqls = std::fs::read_to_string("/tmp/queries.sql").unwrap();
    for sql in sqls.split("\n\n") {
        let sql = sql.trim();
        if sql.is_empty() { continue; }
        match common::plan_statement(sql) {
            Ok(shoal_sql::PlannedStatement::Query(p)) => println!("== {sql}\n{}", p.display_indent()),
            Ok(other) => println!("== {sql}\n{other:?}"),
            Err(e) => println!("== {sql}\nERR {:?}\n{}", e, e.render(sql)),
        }
    }
}
