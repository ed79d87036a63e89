-- aigov's two database roles, neither of them a superuser. Run once, as a superuser (or a role
-- with CREATEROLE that owns the database), connected to aigov's database:
--
--   psql -v ON_ERROR_STOP=1 -d aigov -v owner_password='...' -v runtime_password='...' -f aigov-roles.sql
--
-- aigov_owner owns the schema and runs the migrations and partition maintenance
-- (AIGOV_DB_MIGRATION_USER / AIGOV_DB_MIGRATION_PASSWORD, or `aigov-server.jar migrate`).
-- aigov_runtime is what the server's pool logs in as (AIGOV_DB_USER / AIGOV_DB_PASSWORD); the
-- migration V3__least_privilege.sql grants it exactly the DML it needs: SELECT and INSERT on the
-- audit trail, never UPDATE, DELETE or TRUNCATE, no DDL. To log in under another name, create
-- that role and GRANT aigov_runtime TO it.

CREATE ROLE aigov_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'owner_password';
CREATE ROLE aigov_runtime LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'runtime_password';

-- The owner creates the schema's objects; nobody else creates anything, not even temporary tables.
ALTER SCHEMA public OWNER TO aigov_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO aigov_runtime;
REVOKE ALL ON DATABASE :"DBNAME" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"DBNAME" TO aigov_owner, aigov_runtime;
