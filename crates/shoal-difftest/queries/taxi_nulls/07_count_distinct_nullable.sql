-- count(DISTINCT col) ignores NULLs.
-- compare: ordered
SELECT "VendorID",
       count(DISTINCT passenger_count) AS passenger_counts,
       count(DISTINCT "RatecodeID") AS ratecodes,
       count(DISTINCT store_and_fwd_flag) AS flags,
       count(DISTINCT congestion_surcharge) AS congestion_values,
       count(DISTINCT nullif(passenger_count, 1)) AS non_solo_counts,
       count(*) AS trips
FROM trips
GROUP BY "VendorID"
ORDER BY "VendorID";
