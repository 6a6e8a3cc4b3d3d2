-- date_trunc over timestamps as a group key, with NULL-aware aggregates per month.
-- compare: ordered
SELECT date_trunc('month', tpep_pickup_datetime) AS month,
       count(*) AS trips,
       count(*) - count(passenger_count) AS unknown_feed,
       sum("Airport_fee") AS airport_fees,
       avg(congestion_surcharge) AS avg_congestion,
       min(date_trunc('day', tpep_dropoff_datetime)) AS first_dropoff_day
FROM trips
GROUP BY 1
ORDER BY 1;
