-- compare: ordered
SELECT o_orderpriority, o_orderstatus, count(*) AS n, avg(o_totalprice) AS avg_price
FROM orders
GROUP BY 1, 2
ORDER BY n DESC, 1, 2;
