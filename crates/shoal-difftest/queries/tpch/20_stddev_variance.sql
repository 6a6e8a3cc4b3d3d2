-- compare: ordered
SELECT l_shipmode,
       stddev(l_quantity) AS sd_qty,
       variance(l_discount) AS var_disc,
       stddev_pop(l_tax) AS sdp_tax,
       var_pop(l_quantity) AS vp_qty
FROM lineitem
GROUP BY 1
ORDER BY 1;
