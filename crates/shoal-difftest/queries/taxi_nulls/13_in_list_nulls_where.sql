-- IN / NOT IN with NULLs in WHERE: NOT IN a list holding NULL never passes a row.
-- compare: ordered
SELECT 'flag_in' AS pred, count(*) AS trips FROM trips
WHERE store_and_fwd_flag IN ('Y', NULL)
UNION ALL
SELECT 'flag_not_in', count(*) FROM trips
WHERE store_and_fwd_flag NOT IN ('Y')
UNION ALL
SELECT 'in_long', count(*) FROM trips
WHERE "RatecodeID" IN (2, 3, 4, 5, 6, 99)
UNION ALL
SELECT 'in_null', count(*) FROM trips
WHERE passenger_count IN (1, NULL)
UNION ALL
SELECT 'not_in', count(*) FROM trips
WHERE passenger_count NOT IN (1, 2)
UNION ALL
SELECT 'not_in_long_null', count(*) FROM trips
WHERE "PULocationID" NOT IN (132, 138, 161, 236, 237, NULL)
UNION ALL
SELECT 'not_in_null', count(*) FROM trips
WHERE passenger_count NOT IN (1, NULL)
UNION ALL
SELECT 'not_not_in_null', count(*) FROM trips
WHERE NOT (passenger_count NOT IN (1, NULL))
ORDER BY pred;
