"""The database itself refuses to change or delete the evidence: device events, erasure records,
functional checks (the certificates and the figures rest on them)."""

from django.db import migrations

TABLES = ["ordinateurs_evenement", "ordinateurs_effacement", "ordinateurs_controle"]

FUNCTION = """
CREATE OR REPLACE FUNCTION ordinateurs_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Cet enregistrement est une preuve, en ajout seul (% refusé).', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""

FORWARD = FUNCTION + "".join(
    f"""
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION ordinateurs_append_only();
"""
    for table in TABLES
)

BACKWARD = "".join(
    f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};\n" for table in TABLES
) + "DROP FUNCTION IF EXISTS ordinateurs_append_only();\n"


class Migration(migrations.Migration):
    dependencies = [("ordinateurs", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
