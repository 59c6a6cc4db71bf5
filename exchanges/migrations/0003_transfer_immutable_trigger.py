"""On PostgreSQL, refuse UPDATE and DELETE of transfers in the database itself."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION exchanges_transfer_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'transfers are immutable: correct a mistake with a reversal'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER exchanges_transfer_immutable
    BEFORE UPDATE OR DELETE ON exchanges_transfer
    FOR EACH ROW EXECUTE FUNCTION exchanges_transfer_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS exchanges_transfer_immutable ON exchanges_transfer;
DROP FUNCTION IF EXISTS exchanges_transfer_immutable();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
