#!/bin/sh
# Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d), as the cluster
# superuser. The hub never connects as that superuser (security review H6):
#
#   hub_owner  owns the schema and runs `hub migrate` (the one-shot `migrate` service) and the operator jobs
#              that may remove log records (`hub audit prune`). Not a superuser.
#   hub_app    the running hub. It may read and write the capabilities' tables, but on the disclosure log
#              (audit_record, audit_checkpoint) only SELECT and INSERT (migration 0006_audit_hardening):
#              no UPDATE, DELETE, TRUNCATE, no ownership, so it can neither disable the append-only triggers
#              nor rewrite or prune the log.
#
# Passwords come from Docker secrets; nothing is hard-coded here.
set -eu

owner_password=$(cat /run/secrets/db_owner_password)
app_password=$(cat /run/secrets/db_app_password)

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v owner_password="$owner_password" -v app_password="$app_password" <<'SQL'
CREATE ROLE hub_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'owner_password';
CREATE ROLE hub_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT
    PASSWORD :'app_password';

ALTER DATABASE hub OWNER TO hub_owner;
REVOKE ALL ON DATABASE hub FROM PUBLIC;
GRANT CONNECT ON DATABASE hub TO hub_owner, hub_app;

ALTER SCHEMA public OWNER TO hub_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO hub_app;

-- Every table and sequence the migrations create: ordinary DML for the running hub. Migration
-- 0006_audit_hardening then narrows the disclosure log to SELECT and INSERT.
ALTER DEFAULT PRIVILEGES FOR ROLE hub_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO hub_app;
ALTER DEFAULT PRIVILEGES FOR ROLE hub_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO hub_app;
SQL
