-- TRY_CAST: NULL for values that do not convert (and for NULL input).
-- compare: ordered
SELECT store_and_fwd_flag,
       TRY_CAST(store_and_fwd_flag AS INTEGER) AS flag_int,
       TRY_CAST(CAST(passenger_count AS VARCHAR) AS INTEGER) AS passengers,
       TRY_CAST(CAST("RatecodeID" AS VARCHAR) || '.5' AS DOUBLE) AS ratecode_half,
       TRY_CAST(coalesce(store_and_fwd_flag, '7') AS BIGINT) AS flag_or_seven,
       TRY_CAST(store_and_fwd_flag AS BOOLEAN) AS flag_bool,
       count(*) AS trips
FROM trips
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1 NULLS FIRST, 3 NULLS FIRST, 4 NULLS FIRST;
