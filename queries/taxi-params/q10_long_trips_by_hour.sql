-- Report: trips longer than ${min_distance} miles by hour of day: count, average fare and tip share.
-- param: min_distance=10
-- Run with `shoal report queries/taxi-params --param min_distance=5` to change the threshold.
-- compare: ordered
SELECT
    extract(hour FROM tpep_pickup_datetime) AS hour,
    count(*) AS trips,
    avg(fare_amount) AS avg_fare,
    sum(tip_amount) / sum(fare_amount) AS tip_share
FROM trips
WHERE trip_distance > ${min_distance}
GROUP BY 1
ORDER BY 1;
