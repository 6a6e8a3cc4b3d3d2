-- Report: tip share of the fare by hour of day, card payments only.
-- compare: ordered
SELECT
    extract(hour FROM tpep_pickup_datetime) AS hour,
    count(*) AS trips,
    sum(tip_amount) / sum(fare_amount) AS tip_share,
    avg(tip_amount) AS avg_tip
FROM trips
WHERE payment_type = 1 AND fare_amount > 0
GROUP BY 1
ORDER BY 1;
