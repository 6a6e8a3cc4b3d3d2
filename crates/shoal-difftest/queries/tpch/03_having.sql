-- compare: ordered
SELECT l_suppkey, count(*) AS n, sum(l_quantity) AS qty
FROM lineitem
GROUP BY l_suppkey
HAVING count(*) > 620
ORDER BY n DESC, l_suppkey;
