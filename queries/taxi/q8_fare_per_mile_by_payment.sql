-- Report: fare per mile by payment type, trips with a distance only.
-- compare: ordered
SELECT
    payment_type,
    count(*) AS trips,
    sum(fare_amount) / sum(trip_distance) AS fare_per_mile,
    avg(fare_amount / trip_distance) AS avg_fare_per_mile
FROM trips
WHERE trip_distance > 0
GROUP BY 1
ORDER BY 1;
