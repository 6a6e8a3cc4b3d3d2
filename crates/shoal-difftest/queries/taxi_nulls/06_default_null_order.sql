-- The default NULL order: NULLs sort as larger than every value, so last ASC and first DESC.
-- compare: ordered
SELECT congestion_surcharge,
       nullif("Airport_fee", 0) AS airport_fee,
       count(*) AS trips
FROM trips
GROUP BY 1, 2
ORDER BY congestion_surcharge DESC, airport_fee;
