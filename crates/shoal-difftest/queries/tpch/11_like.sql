-- compare: ordered
SELECT p_type, count(*) AS n
FROM part
WHERE p_type LIKE '%BRASS' OR p_name LIKE 'forest%'
GROUP BY p_type
ORDER BY p_type;
