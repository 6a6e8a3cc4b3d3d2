-- compare: ordered
SELECT l_shipmode, count(*) AS n, sum(l_quantity) AS qty,
       min(l_extendedprice) AS min_price, max(l_extendedprice) AS max_price
FROM lineitem
GROUP BY l_shipmode
ORDER BY l_shipmode;
