-- read_csv with header => false over a headerless copy of the trips: columns are named
-- column_1, column_2, ... (column_4 is passenger_count, column_18 congestion_surcharge,
-- column_19 Airport_fee, column_3 the dropoff time).
-- compare: ordered
SELECT column_4 AS passenger_count,
       count(*) AS trips,
       count(column_18) AS with_congestion,
       sum(column_19) AS airport_fees,
       max(column_3) AS last_dropoff
FROM read_csv('${trips_noheader}', header => false)
GROUP BY 1
ORDER BY 1 NULLS LAST;
