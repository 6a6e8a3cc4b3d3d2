-- NULLS LAST with LIMIT/OFFSET across the boundary: 98964 trips have a distance, so the
-- window holds the 6 longest and then 6 of the 1036 NULL (zero) distances. Every selected
-- column is a sort key, so ties are identical rows.
-- compare: ordered
SELECT nullif(trip_distance, 0) AS distance, "DOLocationID"
FROM trips
ORDER BY distance ASC NULLS LAST, "DOLocationID" DESC
LIMIT 12 OFFSET 98958;
