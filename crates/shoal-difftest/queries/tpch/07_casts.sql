-- Casts between types; float -> integer casts are left out on purpose (PostgreSQL rounds,
-- DataFusion truncates).
-- compare: ordered
SELECT CAST(o_orderdate AS VARCHAR) AS d,
       CAST(o_custkey AS VARCHAR) AS c,
       CAST(o_totalprice AS DOUBLE) AS p,
       CAST(o_shippriority AS BIGINT) AS sp,
       CAST('1995-03-15' AS DATE) > o_orderdate AS before_cutoff
FROM orders
WHERE o_orderkey < 100
ORDER BY o_orderkey;
