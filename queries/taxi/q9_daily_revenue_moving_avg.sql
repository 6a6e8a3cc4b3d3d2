-- Report: daily revenue with a 7-day moving average (the day and the six before it).
-- compare: ordered
SELECT
    day,
    revenue,
    avg(revenue) OVER (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS revenue_7d_avg
FROM (
    SELECT CAST(tpep_pickup_datetime AS DATE) AS day, sum(total_amount) AS revenue
    FROM trips
    GROUP BY 1
) AS daily
ORDER BY day;
