"""An index for the scorecard job's "most wins in any earlier week" of each producer
(accountability/scorecards/snapshot.py): read backwards from the producer's best card, it
stops at the first one before the week instead of visiting every card they ever had.

Listed in WeeklyScorecard.Meta.indexes. The included column
(covering, so the scan never visits the table) is PostgreSQL's; SQLite gets the plain index.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accountability", "0003_commitment_client_token"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="weeklyscorecard",
            index=models.Index(fields=["producer", "wins"], include=["week_start"],
                               name="scorecard_producer_best"),
        ),
    ]
