-- NULL propagates through arithmetic and ||; concat() skips NULL arguments.
-- compare: ordered
SELECT store_and_fwd_flag || '-' || CAST(passenger_count AS VARCHAR) AS flag_passengers,
       concat(store_and_fwd_flag, '-', passenger_count) AS concat_flag_passengers,
       upper(store_and_fwd_flag) AS upper_flag,
       length(store_and_fwd_flag) AS flag_length,
       count(*) AS trips,
       sum(passenger_count + 1) AS passengers_plus_one,
       sum(congestion_surcharge * 2 + "Airport_fee") AS surcharge_mix,
       max(fare_amount / nullif(trip_distance, 0)) AS max_fare_per_mile
FROM trips
WHERE passenger_count IS NULL OR passenger_count <= 2
GROUP BY 1, 2, 3, 4
ORDER BY 2, 1 NULLS FIRST;
