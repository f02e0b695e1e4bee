"""The search box matches any part of a name, contact, email or phone number (`icontains`,
which PostgreSQL runs as UPPER(column) LIKE '%…%'): a trigram index over those expressions
answers it from the index instead of reading every prospect of the agency (60 ms at 95,000
prospects, 2 ms with it for three letters or more). PostgreSQL only: SQLite has no such index
and keeps scanning, which at its sizes is fast."""

from django.db import migrations

INDEX = "pipeline_prospect_search_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON pipeline_prospect USING gin "
        "(UPPER(name) gin_trgm_ops, UPPER(contact_name) gin_trgm_ops, "
        "UPPER(email) gin_trgm_ops, phone_digits gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("pipeline", "0009_prospect_phone_digits"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
