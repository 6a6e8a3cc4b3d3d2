-- Billion taxi rides Q1: trips per vendor.
-- compare: ordered
SELECT "VendorID", count(*) FROM trips GROUP BY 1 ORDER BY 1;
