-- compare: ordered
SELECT o_orderstatus || '/' || o_orderpriority AS k, count(*) AS n
FROM orders
GROUP BY 1
ORDER BY 1;
