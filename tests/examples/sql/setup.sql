-- The examples' database: the extension, then examples/clickstream.sql at its small
-- default size, then each scenario in order.
CREATE EXTENSION hyperloglog;
