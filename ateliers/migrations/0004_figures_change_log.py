"""The change log the workshops' figures store reads (ateliers/figures_store.py): which sessions
changed since it was written. Triggers fill it, so every write path is covered: forms, services,
QuerySet.update(), cascades, the facilitators' many-to-many, COPY loads."""

from django.db import migrations

from poitiers_inclusion import changelog

SQL = """
CREATE TABLE ateliers_figures_change (
    id bigserial PRIMARY KEY,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    seance_id bigint NOT NULL
);

-- The store written last (one row): its folder, and the PostgreSQL snapshot it was read in.
CREATE TABLE ateliers_figures_store (
    id integer PRIMARY KEY CHECK (id = 1),
    token text NOT NULL,
    snapshot text NOT NULL,
    built_at timestamptz NOT NULL
);

CREATE FUNCTION ateliers_figures_log_seance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO ateliers_figures_change (seance_id) SELECT id FROM new_rows;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO ateliers_figures_change (seance_id) SELECT id FROM old_rows;
    END IF;
    RETURN NULL;
END $$;

-- Registrations and facilitators: the session they belong to.
CREATE FUNCTION ateliers_figures_log_seance_of() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO ateliers_figures_change (seance_id) SELECT DISTINCT seance_id FROM new_rows;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO ateliers_figures_change (seance_id) SELECT DISTINCT seance_id FROM old_rows;
    END IF;
    RETURN NULL;
END $$;

-- A TRUNCATE (a test's flush, a reload) logs no row: the store no longer describes the
-- tables, so it is forgotten and the figures are computed live until the next rebuild.
CREATE FUNCTION ateliers_figures_forget_store() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ateliers_figures_store;
    RETURN NULL;
END $$;
"""

TRIGGERS = [
    ("ateliers_seance", "ateliers_figures_log_seance"),
    ("ateliers_inscription", "ateliers_figures_log_seance_of"),
    ("ateliers_seance_animateurs", "ateliers_figures_log_seance_of"),
]


REVERSE = changelog.drop_sql(
    TRIGGERS,
    [
        "ateliers_figures_log_seance",
        "ateliers_figures_log_seance_of",
        "ateliers_figures_forget_store",
    ],
    ["ateliers_figures_change", "ateliers_figures_store"],
)


class Migration(migrations.Migration):
    dependencies = [("ateliers", "0003_record_versions")]

    operations = [
        migrations.RunSQL(
            SQL + changelog.trigger_sql(TRIGGERS, "ateliers_figures_forget_store"), REVERSE
        )
    ]
