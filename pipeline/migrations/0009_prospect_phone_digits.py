import pipeline.phones
from django.db import migrations, models


def fill_phone_digits(apps, schema_editor):
    """Prospects saved before the field existed: their phone's digits, so search finds them."""
    Prospect = apps.get_model("pipeline", "Prospect")
    for pk, phone in Prospect._base_manager.exclude(phone="").values_list("pk", "phone").iterator():
        digits = "".join(ch for ch in phone if ch.isascii() and ch.isdigit())[:32]
        Prospect._base_manager.filter(pk=pk).update(phone_digits=digits)


class Migration(migrations.Migration):

    dependencies = [
        ('pipeline', '0008_prospect_insurance_fields'),
    ]

    operations = [
        migrations.AddField(
            model_name='prospect',
            name='phone_digits',
            field=pipeline.phones.PhoneDigitsField(blank=True, editable=False, max_length=32, source='phone'),
        ),
        migrations.AddIndex(
            model_name='prospect',
            index=models.Index(fields=['agency', 'phone_digits'], name='pipeline_pr_agency__6927b1_idx'),
        ),
        migrations.RunPython(fill_phone_digits, migrations.RunPython.noop),
    ]
