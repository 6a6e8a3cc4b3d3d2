-- CASE with NULL branches: a searched CASE without ELSE, a simple CASE on a nullable operand
-- (WHEN NULL never matches), and CASE yielding NULL inside aggregates.
-- compare: ordered
SELECT CASE WHEN passenger_count IS NULL THEN 'unknown'
            WHEN passenger_count >= 3 THEN 'group' END AS party,
       CASE passenger_count WHEN NULL THEN 'never' WHEN 1 THEN 'solo' ELSE 'other' END AS simple_case,
       count(*) AS trips,
       sum(CASE WHEN congestion_surcharge > 0 THEN NULL ELSE fare_amount END) AS fare_outside_zone,
       count(CASE WHEN "Airport_fee" > 0 THEN 1 END) AS airport_pickups,
       max(CASE WHEN store_and_fwd_flag = 'Y' THEN tpep_pickup_datetime END) AS last_stored
FROM trips
GROUP BY 1, 2
ORDER BY 1 NULLS FIRST, 2;
