-- compare: ordered
SELECT * FROM customer WHERE c_custkey BETWEEN 10 AND 14 ORDER BY c_custkey;
