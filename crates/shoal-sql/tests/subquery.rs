//! Subquery planning: scalar / IN / EXISTS subqueries, outer references resolved against the
//! enclosing queries (also two levels out), and shape / type errors at the subquery's position.

mod common;

use arrow::datatypes::DataType;
use common::{plan, plan_error, plan_statement, position};
use shoal_expr::{Column, Expr, LogicalPlan, Subquery, TreeNode, TreeNodeRecursion};
use shoal_sql::PlannedStatement;

fn query(sql: &str) -> LogicalPlan {
    match plan_statement(sql) {
        Ok(PlannedStatement::Query(p)) => p,
        other => panic!("planning {sql}: {other:?}"),
    }
}

/// The first subquery of any expression of `plan`.
fn first_subquery(plan: &LogicalPlan) -> Subquery {
    let mut found = None;
    let _ = plan.apply(|node| {
        for e in node.expressions() {
            let _ = e.apply(|x| {
                let s = match x {
                    Expr::ScalarSubquery(s) => s,
                    Expr::InSubquery(i) => &i.subquery,
                    Expr::Exists(e) => &e.subquery,
                    _ => return Ok(TreeNodeRecursion::Continue),
                };
                found.get_or_insert_with(|| s.clone());
                Ok(TreeNodeRecursion::Stop)
            });
        }
        Ok(if found.is_some() { TreeNodeRecursion::Stop } else { TreeNodeRecursion::Continue })
    });
    found.expect("a subquery")
}

fn outer_ref(relation: &str, name: &str, t: DataType) -> Expr {
    Expr::OuterReferenceColumn(t, Column::new(Some(relation), name))
}

#[test]
fn subquery_expressions_print_in_the_plan() {
    assert_eq!(
        plan("SELECT a FROM t WHERE a IN (SELECT l_orderkey FROM lineitem) AND EXISTS (SELECT 1)"),
        "Projection: a\n  Filter: (a IN (<subquery>)) AND EXISTS (<subquery>)\n    SubqueryAlias: t\n      TableScan: t\n"
    );
    assert_eq!(
        plan("SELECT (SELECT max(l_orderkey) FROM lineitem) AS m"),
        "Projection: (<subquery>) AS m\n  EmptyRelation: rows=1\n"
    );
}

#[test]
fn unresolved_names_are_outer_references() {
    let p = query("SELECT a FROM t WHERE EXISTS (SELECT 1 FROM lineitem WHERE l_orderkey = a)");
    let s = first_subquery(&p);
    assert_eq!(s.outer_refs, vec![outer_ref("t", "a", DataType::Int64)]);
    assert!(s.plan.display_indent().contains("Filter: l_orderkey = outer_ref(t.a)"), "{}", s.plan);
    // a name of the subquery's own FROM wins over the outer query's
    let p = query("SELECT a FROM t WHERE EXISTS (SELECT 1 FROM t AS u WHERE u.a = a)");
    assert!(first_subquery(&p).outer_refs.is_empty());
}

#[test]
fn references_two_levels_out_belong_to_both_subqueries() {
    let p = query(
        "SELECT a FROM t WHERE EXISTS (SELECT 1 FROM lineitem WHERE \
         l_quantity IN (SELECT c FROM t AS t2 WHERE t2.a = l_orderkey AND t2.b = t.b))",
    );
    let middle = first_subquery(&p);
    assert_eq!(middle.outer_refs, vec![outer_ref("t", "b", DataType::Utf8)]);
    let inner = first_subquery(&middle.plan);
    assert_eq!(
        inner.outer_refs,
        vec![outer_ref("lineitem", "l_orderkey", DataType::Int64), outer_ref("t", "b", DataType::Utf8)]
    );
}

#[test]
fn shape_and_type_errors_point_at_the_subquery() {
    let e = plan_error("SELECT a FROM t WHERE a IN (SELECT a, b FROM t)");
    assert!(e.to_string().contains("must return exactly one column, this one returns 2"), "{e}");
    assert_eq!(position(&e), Some((1, 23)));
    let e = plan_error("SELECT (SELECT a, b FROM t)");
    assert!(e.to_string().contains("a scalar subquery must return exactly one column"), "{e}");
    let e = plan_error("SELECT a FROM t WHERE flag IN (SELECT d FROM t)");
    assert!(e.to_string().contains("cannot compare"), "{e}");
    let e = plan_error("SELECT a FROM t WHERE EXISTS (SELECT 1 FROM lineitem WHERE nope = 1)");
    assert!(e.to_string().contains("column 'nope' not found"), "{e}");
}
