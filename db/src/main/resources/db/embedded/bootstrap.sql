-- Run by aigov as the embedded PostgreSQL's superuser each time it starts that PostgreSQL, before
-- the migrations. Idempotent. Creates the two roles (their passwords are set by aigov, from the
-- data directory's credentials file), gives the owner role the schema, and takes from PUBLIC what
-- the runtime role must not have (temporary tables). Objects that an older aigov created as the
-- superuser (one role for everything) are handed to the owner role.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'aigov_owner') THEN
        CREATE ROLE aigov_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'aigov_runtime') THEN
        CREATE ROLE aigov_runtime LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    END IF;
END
$$;

ALTER SCHEMA public OWNER TO aigov_owner;
REVOKE ALL ON DATABASE postgres FROM PUBLIC;
GRANT CONNECT ON DATABASE postgres TO aigov_owner, aigov_runtime;

DO $$
DECLARE
    object record;
BEGIN
    FOR object IN
        SELECT c.oid::regclass AS name FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace
          AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND c.relowner <> 'aigov_owner'::regrole
          -- identity and serial sequences follow their table
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                                    AND d.deptype IN ('a', 'i') AND c.relkind = 'S')
    LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO aigov_owner', object.name);
    END LOOP;
    FOR object IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> 'aigov_owner'::regrole
    LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO aigov_owner', object.name);
    END LOOP;
END
$$;
