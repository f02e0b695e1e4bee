"""An index for the scorecard job's open pipeline at a week's end (accountability/scorecards/
snapshot.py): each prospect's first move after the week, read per agency in the order the
window function ranks them, without a sort, and whether a prospect moved since.

Listed in StageAdvance.Meta.indexes. The included column (covering,
so the scan never visits the table) is PostgreSQL's; SQLite gets the plain index.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("pipeline", "0004_prospect_client_token"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="stageadvance",
            index=models.Index(fields=["agency", "prospect", "occurred_at", "id"],
                               include=["from_stage"], name="advance_agency_prospect_time"),
        ),
    ]
