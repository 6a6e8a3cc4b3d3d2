-- The oracle (DataFusion 55) has no `variance` aggregate; PostgreSQL's `variance` is the
-- sample variance, DataFusion's `var_samp`.
SELECT payment_type,
       stddev(congestion_surcharge) AS sd_congestion,
       var_samp("Airport_fee") AS var_airport_fee,
       stddev_pop(passenger_count) AS sdp_passengers,
       var_pop(congestion_surcharge) AS vp_congestion,
       stddev_samp(nullif(tip_amount, 0)) AS sd_tip,
       var_samp(CASE WHEN passenger_count > 4 THEN fare_amount END) AS var_fare_big_parties
FROM trips
GROUP BY payment_type
ORDER BY payment_type;
