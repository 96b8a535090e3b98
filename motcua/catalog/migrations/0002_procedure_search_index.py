"""Full-text index over procedure versions' folded names and texts.

SQLite: an FTS5 table kept in step with catalog_procedureversion by triggers.
PostgreSQL: a GIN index over the same weighted tsvector that queries.search_procedures builds.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE catalog_version_fts USING fts5(
        folded_name, folded_text, content='catalog_procedureversion', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER catalog_version_fts_ai AFTER INSERT ON catalog_procedureversion BEGIN
        INSERT INTO catalog_version_fts(rowid, folded_name, folded_text) VALUES (new.id, new.folded_name, new.folded_text);
    END""",
    """CREATE TRIGGER catalog_version_fts_ad AFTER DELETE ON catalog_procedureversion BEGIN
        INSERT INTO catalog_version_fts(catalog_version_fts, rowid, folded_name, folded_text)
        VALUES ('delete', old.id, old.folded_name, old.folded_text);
    END""",
    """CREATE TRIGGER catalog_version_fts_au AFTER UPDATE OF folded_name, folded_text ON catalog_procedureversion BEGIN
        INSERT INTO catalog_version_fts(catalog_version_fts, rowid, folded_name, folded_text)
        VALUES ('delete', old.id, old.folded_name, old.folded_text);
        INSERT INTO catalog_version_fts(rowid, folded_name, folded_text) VALUES (new.id, new.folded_name, new.folded_text);
    END""",
    "INSERT INTO catalog_version_fts(catalog_version_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_version_fts_au",
    "DROP TRIGGER IF EXISTS catalog_version_fts_ad",
    "DROP TRIGGER IF EXISTS catalog_version_fts_ai",
    "DROP TABLE IF EXISTS catalog_version_fts",
]
POSTGRES_FORWARD = [
    """CREATE INDEX catalog_version_search_idx ON catalog_procedureversion USING gin (
        (setweight(to_tsvector('simple'::regconfig, COALESCE(folded_name, '')), 'A')
         || setweight(to_tsvector('simple'::regconfig, COALESCE(folded_text, '')), 'C')))""",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS catalog_version_search_idx"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_catalog_tables")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
