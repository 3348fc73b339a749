"""Database triggers that make a table append-only (UPDATE and DELETE fail), for PostgreSQL and SQLite.

Used by migrations of the transition log and the budget ledger. PostgreSQL's TRUNCATE (test
flushes) bypasses row triggers; nothing in the application truncates.
"""


def install(table):
    def forwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            # params=None: the "%" placeholder belongs to PL/pgSQL, not to the driver's interpolation.
            schema_editor.execute(
                "CREATE OR REPLACE FUNCTION refuse_change_append_only() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql;",
                params=None,
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION refuse_change_append_only();"
            )
        elif vendor == "sqlite":
            for action in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
                )
        else:
            raise NotImplementedError(f"append-only trigger for {vendor}")

    def backwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        elif vendor == "sqlite":
            for action in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action};")

    return forwards, backwards
