-- IS [NOT] DISTINCT FROM treats NULLs as equal; = does not.
-- compare: ordered
SELECT nullif(passenger_count, 1) = nullif("RatecodeID", 1) AS eq,
       nullif(passenger_count, 1) IS DISTINCT FROM nullif("RatecodeID", 1) AS distinct_from,
       nullif(passenger_count, 1) IS NOT DISTINCT FROM nullif("RatecodeID", 1) AS not_distinct,
       store_and_fwd_flag IS DISTINCT FROM 'N' AS flag_not_n,
       count(*) AS trips
FROM trips
GROUP BY 1, 2, 3, 4
ORDER BY 1 NULLS FIRST, 2, 3, 4;
