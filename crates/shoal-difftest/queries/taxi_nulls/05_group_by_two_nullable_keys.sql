-- GROUP BY two nullable keys, ordered DESC NULLS LAST and ASC NULLS FIRST (the group keys
-- are unique, so the order is total). A group of one row has a NULL sample stddev and a
-- population variance of 0.
-- compare: ordered
SELECT store_and_fwd_flag,
       nullif("RatecodeID", 1) AS ratecode,
       count(*) AS trips,
       max(fare_amount) AS max_fare,
       stddev(fare_amount) AS sd_fare,
       var_pop(fare_amount) AS vp_fare
FROM trips
GROUP BY 1, 2
ORDER BY store_and_fwd_flag DESC NULLS LAST, ratecode NULLS FIRST;
