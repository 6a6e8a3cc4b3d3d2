-- ORDER BY + LIMIT (top-k) with a tie-breaker.
-- compare: ordered
SELECT o_orderkey, o_totalprice, o_orderdate
FROM orders
ORDER BY o_totalprice DESC, o_orderkey
LIMIT 10;
