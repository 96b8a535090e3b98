"""Worklist indexes that match the counts and the lists' order (issue 9, hot read paths).

- `dossier_worklist_counts_idx` (agency, state, appointment_at, assignee, current_step) replaces
  `dossier_worklist_idx` (agency, state, appointment_at): the five worklist counts become one index-only scan.
- `dossier_agency_order_idx` and the partial `dossier_active_order_idx` (unfinished dossiers only) give each list
  its first page in the order it is shown, without sorting the agency's rows.
- `dossier_step_queue_idx` (agency, current_step, assignee) goes: the counts index serves those lookups.

On PostgreSQL the indexes are built and dropped CONCURRENTLY, so a province's dossier table (millions of rows)
keeps taking writes while this runs; that needs a migration outside a transaction (atomic = False). New
indexes are built before the old ones are dropped, so the worklists are never without one. If a concurrent
build fails it leaves an INVALID index: drop it and run the migration again. SQLite has no such option and
builds them the ordinary way.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class AddIndexOnline(AddIndexConcurrently):
    """CREATE INDEX CONCURRENTLY on PostgreSQL, a plain CREATE INDEX elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RemoveIndexOnline(RemoveIndexConcurrently):
    """DROP INDEX CONCURRENTLY on PostgreSQL, a plain DROP INDEX elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.RemoveIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.RemoveIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False  # CREATE / DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("dossiers", "0002_system_actions"),
    ]

    operations = [
        AddIndexOnline(
            model_name="dossier",
            index=models.Index(
                fields=["agency", "state", "appointment_at", "assignee", "current_step"],
                name="dossier_worklist_counts_idx",
            ),
        ),
        AddIndexOnline(
            model_name="dossier",
            index=models.Index(
                fields=["agency", "appointment_at", "submitted_at", "id"], name="dossier_agency_order_idx"
            ),
        ),
        AddIndexOnline(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("state__in", [1, 2, 4, 5, 6, 9])),
                fields=["agency", "appointment_at", "submitted_at", "id"],
                name="dossier_active_order_idx",
            ),
        ),
        RemoveIndexOnline(model_name="dossier", name="dossier_worklist_idx"),
        RemoveIndexOnline(model_name="dossier", name="dossier_step_queue_idx"),
    ]
