import secrets

from django.db import migrations, models

import workshops.models


def give_each_a_token(apps, schema_editor):
    Participant = apps.get_model("workshops", "Participant")
    for participant in Participant.objects.filter(rejoin_token__isnull=True).iterator():
        participant.rejoin_token = secrets.token_urlsafe(24)
        participant.save(update_fields=["rejoin_token"])


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0004_notes_come_back"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="rejoin_token",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.RunPython(give_each_a_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="participant",
            name="rejoin_token",
            field=models.CharField(
                default=workshops.models.new_token, max_length=64, unique=True
            ),
        ),
    ]
