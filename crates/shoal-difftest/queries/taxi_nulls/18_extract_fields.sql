-- EXTRACT of year, quarter, day of week and hour, with date_trunc('week') (weeks start on
-- Monday) and NULL-aware counts.
-- compare: ordered
SELECT extract(year FROM tpep_pickup_datetime) AS year,
       extract(quarter FROM tpep_pickup_datetime) AS quarter,
       extract(dow FROM tpep_pickup_datetime) AS dow,
       count(*) AS trips,
       count(store_and_fwd_flag) AS with_flag,
       max(extract(hour FROM tpep_dropoff_datetime)) AS last_hour,
       min(date_trunc('week', tpep_pickup_datetime)) AS first_week
FROM trips
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3;
