SELECT count(*) AS n, sum(p_retailprice) AS total
FROM part
WHERE starts_with(p_type, 'PROMO');
