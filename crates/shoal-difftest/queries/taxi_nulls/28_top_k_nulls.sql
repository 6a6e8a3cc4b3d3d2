-- ORDER BY ... LIMIT (top-k) over nullable string and float keys, mixing NULLS FIRST and
-- NULLS LAST: the 3 NULL-flag rows, then 'N' rows with a 2.5 surcharge, NULL tips first.
-- Every selected column is a sort key, so ties are identical rows.
-- compare: ordered
SELECT store_and_fwd_flag, congestion_surcharge, nullif(tip_amount, 0) AS tip, "PULocationID"
FROM trips
WHERE "DOLocationID" = 132 AND "PULocationID" <= 60
ORDER BY store_and_fwd_flag NULLS FIRST, congestion_surcharge DESC NULLS LAST, tip DESC NULLS FIRST, "PULocationID"
LIMIT 40;
