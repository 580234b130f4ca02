"""One suffix for timestamps: `*_at` (and `*_on` for dates), as the rest of the code.

RenameField only: the columns are renamed, their data kept.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ateliers", "0001_initial"),
    ]

    operations = [
        migrations.RenameField("seance", "annulee_le", "cancelled_at"),
        migrations.RenameField("inscription", "promue_le", "promoted_at"),
        migrations.RenameField("inscription", "annulee_le", "cancelled_at"),
        migrations.RenameField("inscription", "rappel_envoye_le", "reminder_sent_at"),
    ]
