-- IN / NOT IN (subquery) with NULLs: NOT IN a subquery that yields a NULL passes no row, and
-- a NULL left operand passes neither IN nor NOT IN.
-- compare: ordered
SELECT 'in_sub' AS pred, count(*) AS trips FROM trips
WHERE passenger_count IN (SELECT "RatecodeID" FROM trips WHERE payment_type IN (0, 3))
UNION ALL
SELECT 'not_in_sub_no_null', count(*) FROM trips
WHERE passenger_count NOT IN (SELECT "RatecodeID" FROM trips WHERE payment_type = 3)
UNION ALL
SELECT 'not_in_sub_null', count(*) FROM trips
WHERE "VendorID" NOT IN (SELECT passenger_count FROM trips WHERE payment_type IN (0, 3))
UNION ALL
SELECT 'not_in_sub_null_lhs', count(*) FROM trips
WHERE nullif(passenger_count, 2) NOT IN (SELECT "VendorID" FROM trips)
ORDER BY pred;
