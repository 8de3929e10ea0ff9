-- Runs once, when the PostgreSQL volume is first initialised: the app's own role and database.
-- Temporal's databases (temporal, temporal_visibility) are created by setup-temporal-schema.sh.
CREATE ROLE approvals LOGIN PASSWORD 'approvals';
CREATE DATABASE approvals OWNER approvals;
