-- compare: ordered
SELECT date_trunc('month', o_orderdate) AS month, count(*) AS n, sum(o_totalprice) AS total
FROM orders
WHERE o_orderdate < DATE '1993-01-01'
GROUP BY 1
ORDER BY 1;
