-- Report: the 10 busiest pickup -> dropoff zone pairs.
-- compare: ordered
SELECT "PULocationID", "DOLocationID", count(*) AS trips, avg(trip_distance) AS avg_distance
FROM trips
GROUP BY 1, 2
ORDER BY trips DESC, "PULocationID", "DOLocationID"
LIMIT 10;
