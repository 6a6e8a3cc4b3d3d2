-- COALESCE and NULLIF over real NULLs, as group keys and inside aggregates; GREATEST and
-- LEAST skip NULL arguments (NULL only when all are NULL).
-- compare: ordered
SELECT coalesce(passenger_count, -1) AS passengers,
       coalesce(store_and_fwd_flag, '?') AS flag,
       count(*) AS trips,
       sum(coalesce(congestion_surcharge, "Airport_fee", 0)) AS surcharges,
       count(nullif(store_and_fwd_flag, 'N')) AS stored,
       sum(nullif(tip_amount, 0)) AS tips,
       avg(nullif(trip_distance, 0)) AS avg_distance,
       min(coalesce("RatecodeID", passenger_count, 0)) AS min_code,
       max(greatest(congestion_surcharge, "Airport_fee")) AS max_greatest,
       min(least(passenger_count, "RatecodeID", 3)) AS min_least,
       count(greatest(congestion_surcharge, "Airport_fee")) AS greatest_not_null
FROM trips
GROUP BY 1, 2
ORDER BY 1, 2;
