-- Timestamp columns compared with TIMESTAMP, DATE and string literals.
-- compare: ordered
SELECT 'between_strings' AS pred, count(*) AS trips, count(passenger_count) AS known,
       min(tpep_pickup_datetime) AS first_pickup, max(tpep_pickup_datetime) AS last_pickup
FROM trips
WHERE tpep_pickup_datetime BETWEEN '2022-12-31 20:00:00' AND '2023-01-01 04:00:00'
UNION ALL
SELECT 'date_literal', count(*), count(passenger_count), min(tpep_pickup_datetime), max(tpep_pickup_datetime)
FROM trips
WHERE tpep_dropoff_datetime >= DATE '2024-12-31'
UNION ALL
SELECT 'half_open_month', count(*), count(passenger_count), min(tpep_pickup_datetime), max(tpep_pickup_datetime)
FROM trips
WHERE tpep_pickup_datetime >= TIMESTAMP '2023-03-01 00:00:00'
  AND tpep_pickup_datetime < TIMESTAMP '2023-04-01 00:00:00'
UNION ALL
SELECT 'unknown_feed_2024', count(*), count(passenger_count), min(tpep_pickup_datetime), max(tpep_pickup_datetime)
FROM trips
WHERE passenger_count IS NULL AND tpep_pickup_datetime > TIMESTAMP '2024-06-30 12:00:00'
ORDER BY pred;
