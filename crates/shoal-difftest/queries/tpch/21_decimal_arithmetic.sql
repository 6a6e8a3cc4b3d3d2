-- compare: ordered
SELECT l_orderkey,
       l_linenumber,
       l_extendedprice * (1 - l_discount) AS disc_price,
       l_extendedprice * (1 - l_discount) * (1 + l_tax) AS charge,
       l_quantity * 2 + 1 AS q,
       l_extendedprice / l_quantity AS unit_price
FROM lineitem
WHERE l_orderkey < 50
ORDER BY l_orderkey, l_linenumber;
