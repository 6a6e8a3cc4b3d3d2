SELECT count(*) AS n
FROM part
WHERE p_name ILIKE '%GREEN%' AND p_container NOT LIKE 'WRAP%';
