-- DataFusion has no read_csv table function: the oracle reads the same rows from `trips`.
SELECT passenger_count,
       count(*) AS trips,
       count(congestion_surcharge) AS with_congestion,
       sum("Airport_fee") AS airport_fees,
       max(tpep_dropoff_datetime) AS last_dropoff
FROM trips
GROUP BY 1
ORDER BY 1 NULLS LAST;
