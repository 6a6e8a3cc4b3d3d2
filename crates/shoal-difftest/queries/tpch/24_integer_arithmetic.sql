-- Integer division truncates in both PostgreSQL and DataFusion.
-- compare: ordered
SELECT p_partkey, p_size, p_size * 3 - 1 AS a, p_size / 4 AS int_div, p_size % 7 AS m,
       -p_size AS neg
FROM part
WHERE p_partkey <= 20
ORDER BY p_partkey;
