"""The database itself refuses to change or delete an audit event, whatever the code does."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION kernel_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Le journal d''audit est en ajout seul (% refusé).', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER kernel_auditevent_append_only
BEFORE UPDATE OR DELETE ON kernel_auditevent
FOR EACH ROW EXECUTE FUNCTION kernel_auditevent_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS kernel_auditevent_append_only ON kernel_auditevent;
DROP FUNCTION IF EXISTS kernel_auditevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("kernel", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
