-- DataFusion has no read_csv table function: the oracle reads the same rows from `trips`.
SELECT passenger_count,
       store_and_fwd_flag,
       count(*) AS trips,
       count(congestion_surcharge) AS with_congestion,
       sum("Airport_fee") AS airport_fees,
       min(tpep_pickup_datetime) AS first_pickup
FROM trips
GROUP BY 1, 2
ORDER BY 1 NULLS FIRST, 2 NULLS FIRST;
