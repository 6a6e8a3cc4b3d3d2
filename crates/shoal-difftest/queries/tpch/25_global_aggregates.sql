SELECT count(*) AS n, sum(c_acctbal) AS s, avg(c_acctbal) AS a,
       min(c_acctbal) AS mn, max(c_acctbal) AS mx,
       min(c_name) AS first_name, max(c_phone) AS last_phone
FROM customer;
