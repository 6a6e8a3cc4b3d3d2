-- sum/avg/min/max over nullable columns, per payment type: payment type 0 (the unknown feed)
-- is a group whose nullable columns are all NULL, so its sum/avg/min/max are NULL and its
-- count(col) is 0.
-- compare: ordered
SELECT payment_type,
       count(*) AS trips,
       count(passenger_count) AS with_passengers,
       sum(passenger_count) AS passengers,
       avg(passenger_count) AS avg_passengers,
       min(congestion_surcharge) AS min_congestion,
       max(congestion_surcharge) AS max_congestion,
       sum("Airport_fee") AS airport_fees,
       avg("Airport_fee") AS avg_airport_fee,
       min("RatecodeID") AS min_ratecode,
       max(store_and_fwd_flag) AS max_flag,
       min(store_and_fwd_flag) AS min_flag
FROM trips
GROUP BY payment_type
ORDER BY payment_type;
