-- IN / NOT IN with a NULL operand and with NULL in the list: x IN (1, NULL) is TRUE or NULL,
-- x NOT IN (1, NULL) is FALSE or NULL. The long list takes the hashed-set path.
-- compare: ordered
SELECT passenger_count,
       passenger_count IN (1, 2) AS in_12,
       passenger_count NOT IN (1, 2) AS not_in_12,
       passenger_count IN (1, NULL) AS in_1_null,
       passenger_count NOT IN (1, NULL) AS not_in_1_null,
       passenger_count IN (0, 2, 4, 6, 8, 10, NULL) AS in_even_null,
       passenger_count NOT IN (0, 2, 4, 6, 8, 10) AS not_in_even,
       count(*) AS trips
FROM trips
GROUP BY 1, 2, 3, 4, 5, 6, 7
ORDER BY 1 NULLS FIRST;
