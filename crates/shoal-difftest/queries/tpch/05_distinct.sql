-- compare: ordered
SELECT DISTINCT o_orderpriority, o_orderstatus FROM orders ORDER BY 1, 2;
