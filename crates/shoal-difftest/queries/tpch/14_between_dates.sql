SELECT count(*) AS n, sum(l_extendedprice) AS total
FROM lineitem
WHERE l_shipdate BETWEEN DATE '1995-01-01' AND DATE '1995-03-31';
