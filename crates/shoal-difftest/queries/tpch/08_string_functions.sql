-- compare: ordered
SELECT c_custkey,
       lower(c_mktsegment) AS seg,
       upper(c_name) AS name,
       length(c_address) AS addr_len,
       substr(c_phone, 1, 2) AS country_code,
       concat(c_name, '-', c_mktsegment) AS tag,
       replace(c_phone, '-', '') AS phone
FROM customer
WHERE c_custkey <= 50
ORDER BY c_custkey;
