-- compare: ordered
SELECT l_returnflag,
       count(DISTINCT l_orderkey) AS orders,
       count(DISTINCT l_partkey) AS parts
FROM lineitem
GROUP BY 1
ORDER BY 1;
