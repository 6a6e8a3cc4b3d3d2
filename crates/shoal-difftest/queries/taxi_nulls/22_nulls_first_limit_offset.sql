-- NULLS FIRST with LIMIT/OFFSET across the boundary: the 2488 NULL passenger counts come
-- first, and the window holds the last 6 of them and the first 6 non-NULL rows. Every
-- selected column is a sort key, so ties are identical rows.
-- compare: ordered
SELECT passenger_count, tpep_pickup_datetime, "PULocationID"
FROM trips
ORDER BY passenger_count NULLS FIRST, tpep_pickup_datetime DESC, "PULocationID"
LIMIT 12 OFFSET 2482;
