"""Each move records when its prospect entered the stage it leaves (the time of the move before
it), so the open pipeline at a past week's end and the funnel's stays read the move alone.

A past week's open pipeline asks which stays were under way at a moment: the moves whose stay
(from_stage_entered_at, occurred_at] holds the week's end. On PostgreSQL a GiST index over
(agency, stay) answers that for the few thousand prospects open then, instead of picking each
prospect's first move since the week out of the 40,000–180,000 made after it (issue 12: the
open pipeline of a past week at 500 producers, 77 ms before, 30 ms with it). btree_gist lets the agency lead the GiST index; it is a
trusted extension (PostgreSQL 13+), so the database's owner may create it. A move whose stamp
is unknown (the first its ledger holds) stayed since any time before; the lower end is LEAST
(...) so a hand-written row whose times disagree cannot make the range invalid. The query
(accountability/scorecards/snapshot.py, STAY_RANGE) repeats the expression word for word.
SQLite keeps the plain comparison on the column, which at its sizes is fast."""

from django.db import migrations, models

INDEX = "advance_agency_stay"


def fill(apps, schema_editor):
    """The moves so far (a prospect's creation, which leaves no stage, has none): each gets
    the time of its prospect's move before it, in ledger order (time, then id). PostgreSQL
    numbers them in one pass; SQLite (any version Django supports) looks each one up."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE pipeline_stageadvance AS a SET from_stage_entered_at = before.at "
            "FROM (SELECT id, LAG(occurred_at) OVER (PARTITION BY prospect_id "
            "      ORDER BY occurred_at, id) AS at FROM pipeline_stageadvance) AS before "
            "WHERE before.id = a.id AND before.at IS NOT NULL AND a.from_stage_id IS NOT NULL")
        return
    schema_editor.execute(
        "UPDATE pipeline_stageadvance SET from_stage_entered_at = ("
        "  SELECT b.occurred_at FROM pipeline_stageadvance b"
        "  WHERE b.prospect_id = pipeline_stageadvance.prospect_id"
        "    AND (b.occurred_at < pipeline_stageadvance.occurred_at"
        "         OR (b.occurred_at = pipeline_stageadvance.occurred_at"
        "             AND b.id < pipeline_stageadvance.id))"
        "  ORDER BY b.occurred_at DESC, b.id DESC LIMIT 1) "
        "WHERE from_stage_id IS NOT NULL")


def index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON pipeline_stageadvance USING gist "
        "(agency_id, tstzrange(LEAST(COALESCE(from_stage_entered_at, '-infinity'), "
        "occurred_at), occurred_at, '(]')) WHERE from_stage_id IS NOT NULL")


def unindex(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("pipeline", "0011_advance_line_of_business"),
    ]

    operations = [
        migrations.AddField(
            model_name="stageadvance",
            name="from_stage_entered_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(index, unindex),
    ]
