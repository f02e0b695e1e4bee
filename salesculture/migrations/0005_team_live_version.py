from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("salesculture", "0004_audit_event"),
    ]

    operations = [
        migrations.AddField(
            model_name="team",
            name="live_version",
            field=models.PositiveBigIntegerField(default=0),
        ),
    ]
