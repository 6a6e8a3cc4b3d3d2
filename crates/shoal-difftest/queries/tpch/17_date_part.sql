-- compare: ordered
SELECT date_part('dow', l_shipdate) AS dow, count(*) AS n
FROM lineitem
GROUP BY 1
ORDER BY 1;
