-- Billion taxi rides Q3: trips by passenger count and pickup year.
-- compare: ordered
SELECT passenger_count, extract(year FROM tpep_pickup_datetime) AS year, count(*) AS trips
FROM trips
GROUP BY 1, 2
ORDER BY 1, 2;
