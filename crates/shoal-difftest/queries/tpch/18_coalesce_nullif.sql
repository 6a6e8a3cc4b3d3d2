-- compare: ordered
SELECT coalesce(nullif(l_shipmode, 'AIR'), 'none') AS mode,
       count(nullif(l_linenumber, 1)) AS not_first,
       count(*) AS n
FROM lineitem
GROUP BY 1
ORDER BY 1;
