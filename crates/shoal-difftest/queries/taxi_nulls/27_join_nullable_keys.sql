-- Joins on nullable keys: NULL never equals NULL in an equi-join (the NULL group finds no
-- partner and a LEFT JOIN pads it), but IS NOT DISTINCT FROM matches it.
-- compare: ordered
WITH by_passengers AS (
    SELECT passenger_count, count(*) AS trips FROM trips GROUP BY passenger_count
),
by_ratecode AS (
    SELECT nullif("RatecodeID", 1) AS code, count(*) AS trips FROM trips GROUP BY 1
)
SELECT p.passenger_count,
       p.trips,
       r.code,
       r.trips AS code_trips,
       n.trips AS null_safe_trips
FROM by_passengers AS p
LEFT JOIN by_ratecode AS r ON p.passenger_count = r.code
LEFT JOIN by_passengers AS n ON p.passenger_count IS NOT DISTINCT FROM n.passenger_count
ORDER BY p.passenger_count NULLS FIRST;
