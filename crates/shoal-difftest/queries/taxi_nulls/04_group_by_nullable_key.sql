-- GROUP BY a nullable key: the NULLs form one group, sorted first.
-- compare: ordered
SELECT passenger_count,
       count(*) AS trips,
       count(passenger_count) AS counted,
       sum(total_amount) AS revenue,
       avg(congestion_surcharge) AS avg_congestion
FROM trips
GROUP BY passenger_count
ORDER BY passenger_count NULLS FIRST;
