-- DISTINCT over nullable columns: SELECT DISTINCT keeps one NULL row, count/sum/avg(DISTINCT)
-- ignore NULLs.
-- compare: ordered
SELECT (SELECT count(*) FROM (SELECT DISTINCT passenger_count FROM trips) AS d) AS distinct_rows,
       (SELECT count(*) FROM (SELECT DISTINCT store_and_fwd_flag, "RatecodeID" FROM trips) AS d)
           AS distinct_pairs,
       count(DISTINCT passenger_count) AS distinct_passengers,
       sum(DISTINCT congestion_surcharge) AS sum_distinct_congestion,
       avg(DISTINCT "Airport_fee") AS avg_distinct_airport_fee,
       count(DISTINCT nullif(store_and_fwd_flag, 'Y')) AS distinct_flags_without_y
FROM trips;
