-- Three-valued logic in WHERE: a row passes only when the predicate is TRUE (not NULL),
-- through AND/OR/NOT, comparisons, BETWEEN and LIKE.
-- compare: ordered
SELECT 'and' AS pred, count(*) AS trips FROM trips
WHERE passenger_count > 2 AND nullif(tip_amount, 0) > 5
UNION ALL
SELECT 'and_false', count(*) FROM trips
WHERE NOT (passenger_count > 2 AND trip_distance < 0)
UNION ALL
SELECT 'between', count(*) FROM trips
WHERE passenger_count BETWEEN 2 AND 4
UNION ALL
SELECT 'eq_null', count(*) FROM trips
WHERE passenger_count = NULL
UNION ALL
SELECT 'like', count(*) FROM trips
WHERE store_and_fwd_flag LIKE 'Y%'
UNION ALL
SELECT 'ne', count(*) FROM trips
WHERE store_and_fwd_flag <> 'N'
UNION ALL
SELECT 'not', count(*) FROM trips
WHERE NOT (passenger_count > 2)
UNION ALL
SELECT 'not_between', count(*) FROM trips
WHERE passenger_count NOT BETWEEN 2 AND 4
UNION ALL
SELECT 'not_like', count(*) FROM trips
WHERE NOT (store_and_fwd_flag LIKE 'Y%')
UNION ALL
SELECT 'not_or', count(*) FROM trips
WHERE NOT (passenger_count = 1 OR nullif(trip_distance, 0) < 1)
UNION ALL
SELECT 'or', count(*) FROM trips
WHERE passenger_count > 2 OR congestion_surcharge > 0
UNION ALL
SELECT 'or_true', count(*) FROM trips
WHERE passenger_count > 2 OR trip_distance >= 0
ORDER BY pred;
