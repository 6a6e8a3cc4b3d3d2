-- compare: ordered
SELECT CASE WHEN l_quantity < 10 THEN 'small'
            WHEN l_quantity < 30 THEN 'medium'
            ELSE 'large' END AS size,
       count(*) AS n,
       avg(l_discount) AS avg_disc
FROM lineitem
GROUP BY 1
ORDER BY 1;
