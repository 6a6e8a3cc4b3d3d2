-- Billion taxi rides Q2: average total by passenger count (NULL passenger_count sorts last).
-- compare: ordered
SELECT passenger_count, avg(total_amount) FROM trips GROUP BY 1 ORDER BY 1;
