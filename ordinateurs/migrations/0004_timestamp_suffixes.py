"""One suffix for timestamps: `*_at` (and `*_on` for dates), as the rest of the code.

RenameField: the columns are renamed, their data kept.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ordinateurs", "0003_don_annule_le"),
    ]

    operations = [
        # Dropped first: they name the fields by their old names.
        migrations.RemoveConstraint(
            model_name="attribution",
            name="one_live_attribution_per_device",
        ),
        migrations.RemoveIndex(model_name="demande", name="ordinateurs_statut_9c07da_idx"),
        migrations.RenameField("don", "propose_le", "offered_on"),
        migrations.RenameField("don", "collecte_prevue_le", "collection_planned_on"),
        migrations.RenameField("don", "collecte_le", "collected_on"),
        migrations.RenameField("don", "confirme_le", "confirmed_at"),
        migrations.RenameField("don", "annule_le", "cancelled_at"),
        migrations.RenameField("effacement", "fait_le", "done_at"),
        migrations.RenameField("controle", "fait_le", "done_at"),
        migrations.RenameField("foyer", "consentement_le", "consent_at"),
        migrations.RenameField("demande", "liste_attente_le", "waitlisted_at"),
        migrations.RenameField("demande", "cloturee_le", "closed_at"),
        migrations.RenameField("attribution", "proposee_le", "proposed_at"),
        migrations.RenameField("attribution", "remise_le", "handed_over_at"),
        migrations.RenameField("attribution", "annulee_le", "cancelled_at"),
        migrations.RenameField("temoignage", "consentement_le", "consent_at"),
        # What names the renamed fields: the orderings, the waiting list's index (its name is
        # derived from its columns) and the partial unique constraint, built again.
        migrations.AlterModelOptions(
            name="attribution",
            options={
                "ordering": ["-proposed_at"],
                "verbose_name": "attribution",
                "verbose_name_plural": "attributions",
            },
        ),
        migrations.AlterModelOptions(
            name="controle",
            options={
                "ordering": ["done_at", "pk"],
                "verbose_name": "contrôle fonctionnel",
                "verbose_name_plural": "contrôles fonctionnels",
            },
        ),
        migrations.AlterModelOptions(
            name="don",
            options={"ordering": ["-offered_on", "-pk"], "verbose_name": "don", "verbose_name_plural": "dons"},
        ),
        migrations.AlterModelOptions(
            name="effacement",
            options={
                "ordering": ["done_at", "pk"],
                "verbose_name": "effacement",
                "verbose_name_plural": "effacements",
            },
        ),
        migrations.AddIndex(
            model_name="demande",
            index=models.Index(
                fields=["statut", "priorite", "waitlisted_at"], name="ordinateurs_statut_0e9df6_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="attribution",
            constraint=models.UniqueConstraint(
                condition=models.Q(("cancelled_at__isnull", True)),
                fields=("ordinateur",),
                name="one_live_attribution_per_device",
            ),
        ),
    ]
