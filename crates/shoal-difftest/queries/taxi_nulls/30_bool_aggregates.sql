-- bool_and / bool_or skip NULLs (NULL over an all-NULL group), IS NOT FALSE counts NULL as
-- not false, and COALESCE mixing an integer and a float column.
-- compare: ordered
SELECT payment_type,
       bool_and(passenger_count > 0) AS all_with_passengers,
       bool_or(passenger_count > 5) AS any_big_party,
       bool_and(store_and_fwd_flag < 'Y') AS none_stored,
       sum(coalesce(passenger_count, congestion_surcharge, 0.5)) AS mixed_coalesce,
       count(*) FILTER (WHERE (passenger_count > 3) IS NOT FALSE) AS not_false
FROM trips
GROUP BY payment_type
ORDER BY payment_type;
