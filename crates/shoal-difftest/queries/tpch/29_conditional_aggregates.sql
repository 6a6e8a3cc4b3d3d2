SELECT sum(CASE WHEN l_returnflag = 'R' THEN l_quantity ELSE 0 END) AS returned_qty,
       count(CASE WHEN l_discount > 0.05 THEN 1 END) AS discounted,
       sum(l_quantity) FILTER (WHERE l_linestatus = 'O') AS open_qty
FROM lineitem;
