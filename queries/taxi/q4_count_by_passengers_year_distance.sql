-- Billion taxi rides Q4: trips by passenger count, year and rounded distance, busiest first
-- within each year (passenger_count and distance break ties so the order is total).
-- compare: ordered
SELECT
    passenger_count,
    extract(year FROM tpep_pickup_datetime) AS year,
    round(trip_distance) AS distance,
    count(*) AS trips
FROM trips
GROUP BY 1, 2, 3
ORDER BY year, trips DESC, passenger_count, distance;
