-- compare: ordered
SELECT upper(substr(p_mfgr, 1, 12)) AS mfgr, p_size % 5 AS bucket,
       count(*) AS n, sum(p_retailprice) AS total
FROM part
GROUP BY 1, 2
ORDER BY 1, 2;
