-- Scenario 8: scheduled rollups with pg_cron.
-- pg_cron is the Debian package postgresql-15-cron; the server needs
-- shared_preload_libraries = 'pg_cron' and cron.database_name set to this database. A
-- job refreshes the weekly and monthly rollups every minute. Without pg_cron loaded
-- this file says so and does nothing.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT current_setting('shared_preload_libraries') LIKE '%pg_cron%' AS pg_cron_loaded \gset
\if :pg_cron_loaded
CREATE EXTENSION IF NOT EXISTS pg_cron;
SELECT cron.schedule('refresh-uniques-rollups', '* * * * *',
    'REFRESH MATERIALIZED VIEW CONCURRENTLY weekly_uniques; REFRESH MATERIALIZED VIEW CONCURRENTLY monthly_uniques') > 0
    AS scheduled;
SELECT jobname, schedule, command FROM cron.job ORDER BY jobid;
-- Run the job's command now, as pg_cron will, and check that it leaves the rollups
-- equal to a fresh union of the daily sketches.
DO $$ BEGIN EXECUTE (SELECT command FROM cron.job WHERE jobname = 'refresh-uniques-rollups'); END $$;
SELECT (SELECT users FROM monthly_uniques) = (SELECT hll_union_agg(users) FROM daily_uniques)
    AS monthly_rollup_current;
SELECT cron.unschedule('refresh-uniques-rollups');
\else
SELECT 'pg_cron is not loaded in this server: see examples/08_scheduled_rollups.sql' AS note;
\endif
