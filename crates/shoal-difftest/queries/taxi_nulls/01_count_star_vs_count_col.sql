-- count(*) against count(col) over every nullable column, and IS [NOT] NULL counts.
-- compare: ordered
SELECT count(*) AS trips,
       count(passenger_count) AS with_passengers,
       count("RatecodeID") AS with_ratecode,
       count(store_and_fwd_flag) AS with_flag,
       count(congestion_surcharge) AS with_congestion,
       count("Airport_fee") AS with_airport_fee,
       sum(CASE WHEN passenger_count IS NULL THEN 1 ELSE 0 END) AS null_passengers,
       sum(CASE WHEN store_and_fwd_flag IS NOT NULL THEN 1 ELSE 0 END) AS flag_present,
       count(*) FILTER (WHERE "Airport_fee" IS NULL) AS null_airport_fee,
       count(nullif(trip_distance, 0)) AS nonzero_distance
FROM trips;
