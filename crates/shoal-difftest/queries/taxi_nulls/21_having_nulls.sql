-- HAVING over NULL-aware aggregates: the all-NULL group passes through `sum(..) IS NULL`
-- (its avg is NULL), payment type 3 through the avg.
-- compare: ordered
SELECT payment_type,
       count(*) AS trips,
       sum(passenger_count) AS passengers
FROM trips
GROUP BY payment_type
HAVING sum(passenger_count) IS NULL OR avg("Airport_fee") > 0.09
ORDER BY payment_type;
