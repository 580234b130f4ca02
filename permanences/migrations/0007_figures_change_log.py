"""The change log the figures store reads: which médiations and usagers changed since it was
written (permanences/figures/store.py). Triggers fill it, so every write path is covered: forms,
services, QuerySet.update(), cascades, merges, anonymisation, COPY imports."""

from django.db import migrations

from poitiers_inclusion import changelog

SQL = """
CREATE TABLE permanences_figures_change (
    id bigserial PRIMARY KEY,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    mediation_id bigint,
    usager_id bigint
);

-- The store written last (one row): its folder, and the PostgreSQL snapshot it was read in.
CREATE TABLE permanences_figures_store (
    id integer PRIMARY KEY CHECK (id = 1),
    token text NOT NULL,
    snapshot text NOT NULL,
    built_at timestamptz NOT NULL
);

CREATE FUNCTION permanences_figures_log_mediation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO permanences_figures_change (mediation_id) SELECT id FROM new_rows;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO permanences_figures_change (mediation_id) SELECT id FROM old_rows;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION permanences_figures_log_accompagnement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO permanences_figures_change (mediation_id)
        SELECT DISTINCT mediation_id FROM new_rows;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO permanences_figures_change (mediation_id)
        SELECT DISTINCT mediation_id FROM old_rows;
    END IF;
    RETURN NULL;
END $$;

-- A TRUNCATE (a test's flush, a reload) logs no row: the store no longer describes the
-- tables, so it is forgotten and the figures are computed live until the next rebuild.
CREATE FUNCTION permanences_figures_forget_store() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM permanences_figures_store;
    RETURN NULL;
END $$;

CREATE FUNCTION permanences_figures_log_usager() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO permanences_figures_change (usager_id) SELECT id FROM new_rows;
    ELSE
        INSERT INTO permanences_figures_change (usager_id) SELECT id FROM old_rows;
    END IF;
    RETURN NULL;
END $$;
"""

TRIGGERS = [
    ("permanences_mediation", "permanences_figures_log_mediation"),
    ("permanences_accompagnement", "permanences_figures_log_accompagnement"),
    ("kernel_usager", "permanences_figures_log_usager"),
]


REVERSE = changelog.drop_sql(
    TRIGGERS,
    [
        "permanences_figures_log_mediation",
        "permanences_figures_log_accompagnement",
        "permanences_figures_log_usager",
        "permanences_figures_forget_store",
    ],
    ["permanences_figures_change", "permanences_figures_store"],
)


class Migration(migrations.Migration):
    dependencies = [
        ("permanences", "0006_redirection_offre_sociale_internet"),
        ("kernel", "0010_outgoing_email_attachments"),
    ]

    operations = [
        migrations.RunSQL(
            SQL + changelog.trigger_sql(TRIGGERS, "permanences_figures_forget_store"), REVERSE
        )
    ]
