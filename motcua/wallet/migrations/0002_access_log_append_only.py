"""The access log (nhật ký truy cập) is append-only in the database itself.

PostgreSQL refuses every UPDATE and DELETE of a row; SQLite (the laptop default) refuses UPDATE, and the model
refuses deletes (SQLite empties tables with DELETE, which the test database's flush needs). TRUNCATE stays the
database owner's: issue 13's hash chain makes such tampering evident.
"""

from django.db import migrations

SQLITE = [
    (
        "CREATE TRIGGER wallet_accessrecord_no_update BEFORE UPDATE ON wallet_accessrecord "
        "BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;",
        "DROP TRIGGER IF EXISTS wallet_accessrecord_no_update;",
    ),
]

POSTGRESQL = [
    (
        """
        CREATE FUNCTION wallet_accessrecord_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the access log is append-only';
        END;
        $$;
        CREATE TRIGGER wallet_accessrecord_append_only BEFORE UPDATE OR DELETE ON wallet_accessrecord
            FOR EACH ROW EXECUTE FUNCTION wallet_accessrecord_append_only();
        """,
        """
        DROP TRIGGER IF EXISTS wallet_accessrecord_append_only ON wallet_accessrecord;
        DROP FUNCTION IF EXISTS wallet_accessrecord_append_only();
        """,
    ),
]


def _run(apps, schema_editor, *, forwards: bool) -> None:
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor, [])
    for create, drop in statements:
        schema_editor.execute(create if forwards else drop)


def create_triggers(apps, schema_editor):
    _run(apps, schema_editor, forwards=True)


def drop_triggers(apps, schema_editor):
    _run(apps, schema_editor, forwards=False)


class Migration(migrations.Migration):
    dependencies = [("wallet", "0001_wallet_documents_shares_access_consent")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
