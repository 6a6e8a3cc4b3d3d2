-- Filter with AND on a decimal and a string column.
SELECT count(*) AS n FROM lineitem WHERE l_quantity > 45 AND l_shipmode = 'AIR';
