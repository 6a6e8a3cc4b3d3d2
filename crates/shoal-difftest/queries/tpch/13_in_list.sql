-- compare: ordered
SELECT l_shipmode, l_returnflag, count(*) AS n
FROM lineitem
WHERE l_shipmode IN ('MAIL', 'SHIP') AND l_returnflag NOT IN ('N')
GROUP BY 1, 2
ORDER BY 1, 2;
