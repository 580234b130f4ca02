"""The upgrade rule (README, « Mettre à jour »): a migration keeps the schema readable and
writable by the previous release. It adds, it does not take away: no column or table dropped or
renamed, no column made compulsory without a default kept in the database, in the same release as
the code that stops using it. A migration that must break the rule is listed in ALLOWED with the
reason, and the release notes say it (the upgrade then stops every instance before migrating)."""

import re

import pytest
from django.db import migrations
from django.db.migrations.loader import MigrationLoader
from django.db.models import NOT_PROVIDED

# (app, migration) -> why breaking the rule was accepted.
ALLOWED = {
    ("ateliers", "0002_timestamp_suffixes"): (
        "Renommage des horodatages en *_at (RenameField, données gardées) : publié avec une "
        "mise à jour qui arrête toutes les instances avant de migrer."
    ),
    ("permanences", "0002_schedule_closures_bookings"): (
        "Antérieure à la règle (écrite en décembre 2026) : is_one_off ajouté obligatoire sans "
        "valeur par défaut dans la base."
    ),
    ("ordinateurs", "0004_timestamp_suffixes"): (
        "Renommage des horodatages en *_at et des dates du don en *_on (RenameField, données "
        "gardées) : publié avec une mise à jour qui arrête toutes les instances avant de migrer."
    ),
}

PROJECT_APPS = (
    "poitiers_inclusion",
    "reseau",
    "permanences",
    "ateliers",
    "ordinateurs",
    "reporting",
)
DESTRUCTIVE_SQL = re.compile(r"\b(DROP\s+(TABLE|COLUMN)|RENAME\s+(TO|COLUMN))\b", re.I)


def _old_field(state, app, model_name, name):
    model = state.models.get((app, model_name.lower()))
    return model.fields.get(name) if model else None


def _without_db_default(field) -> bool:
    return (
        not field.null
        and getattr(field, "db_default", NOT_PROVIDED) is NOT_PROVIDED
        and not field.many_to_many
    )


def breaking_operations(loader, app, name) -> list[str]:
    """What in this migration the previous release's code could trip on."""
    migration = loader.get_migration(app, name)
    if migration.initial:
        return []
    return breaking(migration, loader.project_state((app, name), at_end=False))


def breaking(migration, state) -> list[str]:
    app = migration.app_label
    found = []
    for operation in migration.operations:
        kind = type(operation).__name__
        if isinstance(
            operation,
            migrations.RemoveField
            | migrations.RenameField
            | migrations.DeleteModel
            | migrations.RenameModel,
        ):
            found.append(f"{kind} {operation.describe()}")
        elif isinstance(operation, migrations.AddField):
            # The previous release inserts rows without this column.
            if _without_db_default(operation.field):
                found.append(f"AddField obligatoire sans db_default : {operation.describe()}")
        elif isinstance(operation, migrations.AlterField):
            old = _old_field(state, app, operation.model_name, operation.name)
            if old is not None and old.null and _without_db_default(operation.field):
                found.append(f"AlterField rendu obligatoire : {operation.describe()}")
        elif isinstance(operation, migrations.RunSQL):
            sql = (
                operation.sql
                if isinstance(operation.sql, str)
                else " ".join(map(str, operation.sql))
            )
            if DESTRUCTIVE_SQL.search(sql):
                found.append(f"RunSQL qui supprime ou renomme : {sql[:80]}")
    return found


@pytest.fixture(scope="module")
def loader():
    return MigrationLoader(None, ignore_no_migrations=True)


def _project_migrations(loader):
    return sorted(key for key in loader.disk_migrations if key[0] in PROJECT_APPS)


def test_every_migration_keeps_the_previous_release_working(loader):
    unexplained = {
        f"{app}.{name}": found
        for app, name in _project_migrations(loader)
        if (found := breaking_operations(loader, app, name)) and (app, name) not in ALLOWED
    }
    assert unexplained == {}, (
        "Ces migrations retirent, renomment ou rendent obligatoire une colonne que la version "
        "précédente utilise : ajoutez d'abord, retirez une version plus tard (README, « Mettre à "
        "jour »), ou inscrivez-les dans ALLOWED avec la raison."
    )


def test_each_allowed_migration_exists_and_does_break_the_rule(loader):
    for app, name in ALLOWED:
        assert (app, name) in loader.disk_migrations, f"{app}.{name} n'existe pas"
        assert breaking_operations(loader, app, name), f"{app}.{name} n'a rien à excuser"
        assert len(ALLOWED[(app, name)]) > 20


def test_the_check_sees_each_kind_of_break(loader):
    """The check itself, on a migration made up for the test, after the real ones."""
    from django.db import models

    state = loader.project_state(loader.graph.leaf_nodes("reseau")[0])
    fake = migrations.Migration("9999_fausse", "reseau")
    fake.operations = [
        migrations.RemoveField("lieu", "nom"),
        migrations.RenameField("lieu", "nom", "name"),
        migrations.DeleteModel("lieu"),
        migrations.AddField("lieu", "code", models.IntegerField(default=0)),
        migrations.AlterField("lieu", "latitude", models.FloatField(default=0)),
        migrations.RunSQL("ALTER TABLE reseau_lieu DROP COLUMN nom"),
    ]
    assert len(breaking(fake, state)) == 6, breaking(fake, state)
    fake.operations = [
        migrations.AddField("lieu", "code", models.IntegerField(default=0, db_default=0)),
        migrations.AddField("lieu", "note", models.TextField(null=True)),
        migrations.AlterField("lieu", "latitude", models.FloatField(null=True, blank=True)),
    ]
    assert breaking(fake, state) == []
