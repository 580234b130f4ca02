"""The answer link of an orientation sent to a structure without an account: a random key per
orientation. Existing rows get their own key before the column becomes unique."""

import secrets

from django.db import migrations, models

import reseau.models.campagnes


def give_each_orientation_a_key(apps, schema_editor):
    Orientation = apps.get_model("reseau", "Orientation")
    for orientation in Orientation.objects.filter(answer_token__isnull=True).only("pk"):
        orientation.answer_token = secrets.token_urlsafe(24)
        orientation.save(update_fields=["answer_token"])


class Migration(migrations.Migration):
    dependencies = [
        ("reseau", "0002_campagne_reunion_orientation_invitation_verification"),
    ]

    operations = [
        migrations.AddField(
            model_name="orientation",
            name="answer_token",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="clé du lien de réponse"
            ),
        ),
        migrations.RunPython(give_each_orientation_a_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="orientation",
            name="answer_token",
            field=models.CharField(
                default=reseau.models.campagnes.new_token,
                editable=False,
                max_length=64,
                unique=True,
                verbose_name="clé du lien de réponse",
            ),
        ),
    ]
