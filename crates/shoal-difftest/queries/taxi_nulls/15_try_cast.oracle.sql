-- DataFusion 55 names TRY_CAST(col AS t) after `col`, so grouping by several TRY_CASTs of
-- one column fails with "duplicate unqualified field name": the oracle computes them in a
-- derived table first (same result).
SELECT store_and_fwd_flag, flag_int, passengers, ratecode_half, flag_or_seven, flag_bool, count(*) AS trips
FROM (
    SELECT store_and_fwd_flag,
           TRY_CAST(store_and_fwd_flag AS INTEGER) AS flag_int,
           TRY_CAST(CAST(passenger_count AS VARCHAR) AS INTEGER) AS passengers,
           TRY_CAST(CAST("RatecodeID" AS VARCHAR) || '.5' AS DOUBLE) AS ratecode_half,
           TRY_CAST(coalesce(store_and_fwd_flag, '7') AS BIGINT) AS flag_or_seven,
           TRY_CAST(store_and_fwd_flag AS BOOLEAN) AS flag_bool
    FROM trips
) AS t
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1 NULLS FIRST, 3 NULLS FIRST, 4 NULLS FIRST;
