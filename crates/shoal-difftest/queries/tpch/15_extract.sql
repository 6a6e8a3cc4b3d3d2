-- compare: ordered
SELECT extract(year FROM o_orderdate) AS y,
       extract(month FROM o_orderdate) AS m,
       count(*) AS n
FROM orders
GROUP BY 1, 2
ORDER BY 1, 2;
