-- read_csv options over a `|`-delimited copy of the trips (the same rows as table `trips`,
-- which the oracle reads instead): delim, header and sample_size; empty fields are NULL.
-- compare: ordered
SELECT passenger_count,
       store_and_fwd_flag,
       count(*) AS trips,
       count(congestion_surcharge) AS with_congestion,
       sum("Airport_fee") AS airport_fees,
       min(tpep_pickup_datetime) AS first_pickup
FROM read_csv('${trips_psv}', delim => '|', header => true, sample_size => 500)
GROUP BY 1, 2
ORDER BY 1 NULLS FIRST, 2 NULLS FIRST;
