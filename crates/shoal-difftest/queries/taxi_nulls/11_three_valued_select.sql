-- Three-valued logic in SELECT: the AND/OR/NOT truth tables over nullable comparisons, and
-- IS [NOT] TRUE / IS UNKNOWN, counted per combination of the two operands.
-- compare: ordered
SELECT passenger_count > 2 AS big,
       nullif(tip_amount, 0) > 5 AS good_tip,
       (passenger_count > 2) AND (nullif(tip_amount, 0) > 5) AS both_true,
       (passenger_count > 2) OR (nullif(tip_amount, 0) > 5) AS either_true,
       NOT (passenger_count > 2) AS not_big,
       (passenger_count > 2) IS NOT TRUE AS big_not_true,
       (nullif(tip_amount, 0) > 5) IS UNKNOWN AS tip_unknown,
       count(*) AS trips
FROM trips
GROUP BY 1, 2, 3, 4, 5, 6, 7
ORDER BY 1 NULLS FIRST, 2 NULLS FIRST;
