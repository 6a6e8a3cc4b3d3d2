-- The oracle (DataFusion 55) has no `variance` aggregate; PostgreSQL's `variance` is the
-- sample variance, DataFusion's `var_samp`.
SELECT l_shipmode,
       stddev(l_quantity) AS sd_qty,
       var_samp(l_discount) AS var_disc,
       stddev_pop(l_tax) AS sdp_tax,
       var_pop(l_quantity) AS vp_qty
FROM lineitem
GROUP BY 1
ORDER BY 1;
