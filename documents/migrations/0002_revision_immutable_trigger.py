"""Iterations are immutable in the database too, not only in the ORM.

A row-level trigger refuses every UPDATE of documents_revision and every DELETE
unless the transaction has set ``workback.allow_revision_purge`` (see
``documents.models.allow_revision_purge``, for deleting a whole document or
team). PostgreSQL only: SQLite, the embedded development database, relies on
the model and queryset guards.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION documents_revision_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND coalesce(current_setting('workback.allow_revision_purge', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'iterations are immutable: % of documents_revision % refused', TG_OP, OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER documents_revision_immutable
    BEFORE UPDATE OR DELETE ON documents_revision
    FOR EACH ROW EXECUTE FUNCTION documents_revision_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS documents_revision_immutable ON documents_revision;
DROP FUNCTION IF EXISTS documents_revision_immutable();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
