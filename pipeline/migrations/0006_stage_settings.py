"""Agency settings (issue 13): retired stages, and the lost reasons' pick list."""

import django.db.models.deletion
from django.db import migrations, models

# The defaults as they were when this migration was written (pipeline/defaults.py may change).
LOST_REASONS = ["Price", "Went with their current agent", "Not the right time",
                "Bought direct online", "Stopped responding", "Coverage did not fit"]


def lost_reasons_for_existing_agencies(apps, schema_editor):
    """Every agency made before the pick list existed gets the defaults a new agency gets."""
    Agency = apps.get_model("salesculture", "Agency")
    LostReason = apps.get_model("pipeline", "LostReason")
    LostReason.objects.bulk_create(
        [LostReason(agency_id=agency_id, name=name, position=index)
         for agency_id in Agency.objects.values_list("pk", flat=True)
         for index, name in enumerate(LOST_REASONS)],
        ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('pipeline', '0005_advance_agency_prospect_time_index'),
        ('salesculture', '0007_agency_settings'),
    ]

    operations = [
        migrations.AddField(
            model_name='stage',
            name='retired_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.CreateModel(
            name='LostReason',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=80)),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('is_active', models.BooleanField(default=True)),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lost_reasons', to='salesculture.agency')),
            ],
            options={
                'ordering': ['position', 'name'],
                'constraints': [models.UniqueConstraint(fields=('agency', 'name'), name='lost_reason_name_unique_per_agency')],
            },
        ),
        migrations.RunPython(lost_reasons_for_existing_agencies, migrations.RunPython.noop),
    ]
