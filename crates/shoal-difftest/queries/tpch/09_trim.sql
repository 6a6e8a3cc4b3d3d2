-- compare: ordered
SELECT p_partkey,
       trim(concat('  ', p_container, '  ')) AS container,
       length(concat(' ', p_brand, ' ')) AS padded_len,
       length(trim(concat(' ', p_brand, ' '))) AS trimmed_len
FROM part
WHERE p_partkey < 30
ORDER BY p_partkey;
