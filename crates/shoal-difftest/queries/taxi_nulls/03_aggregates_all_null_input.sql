-- Global aggregates whose input is NULL in every row (and an empty input): sum, avg, min and
-- max are NULL, count is 0.
-- compare: ordered
SELECT count(*) AS trips,
       count(passenger_count) AS with_passengers,
       sum(passenger_count) AS passengers,
       avg(congestion_surcharge) AS avg_congestion,
       min("Airport_fee") AS min_airport_fee,
       max(store_and_fwd_flag) AS max_flag,
       sum(fare_amount) AS fares,
       (SELECT sum(fare_amount) FROM trips WHERE trip_distance < 0) AS no_rows_sum,
       (SELECT count(fare_amount) FROM trips WHERE trip_distance < 0) AS no_rows_count
FROM trips
WHERE payment_type = 0;
