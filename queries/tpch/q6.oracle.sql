-- TPC-H Q6 as the oracle (DataFusion) runs it: the discount bounds are folded by hand.
-- Why: DataFusion parses 0.06 and 0.01 as floats, so 0.06 + 0.01 = 0.06999999999999999 and
-- on CSV data (l_discount is a double there) it drops every row with l_discount = 0.07.
-- PostgreSQL, which shoal follows, treats the literals as exact numerics (0.07), so those
-- rows are in (the TPC-H answer). With the folded bounds DataFusion gives that answer on
-- both Parquet (decimal) and CSV (double) data.
select
    sum(l_extendedprice * l_discount) as revenue
from
    lineitem
where
    l_shipdate >= date '1994-01-01'
    and l_shipdate < date '1994-01-01' + interval '1' year
    and l_discount between 0.05 and 0.07
    and l_quantity < 24;
