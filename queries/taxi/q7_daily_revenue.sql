-- Report: revenue per pickup day.
-- compare: ordered
SELECT
    CAST(tpep_pickup_datetime AS DATE) AS day,
    count(*) AS trips,
    sum(total_amount) AS revenue
FROM trips
GROUP BY 1
ORDER BY 1;
