SELECT count(*) AS n
FROM orders
WHERE NOT (o_orderstatus = 'F')
  AND (o_orderpriority = '1-URGENT' OR o_totalprice > 300000);
