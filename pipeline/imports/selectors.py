"""Reads for the importer: the job (scoped: another agency's or colleague's id is a 404), the
lookups a file's rows are judged against (a fixed number of queries), and the preview."""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404

from salesculture.models import Producer, Team
from salesculture.selectors import producers_visible_to
from salesculture.weeks import local_now

from ..models import ActivityType, ImportJob, Prospect, Stage
from .checks import Lookups, Row, check_rows
from .columns import FIELDS, column_indexes, missing_fields
from .reading import Table, table_of_text

PREVIEW_ROWS = 10
PROBLEMS_SHOWN = 200


def may_import(actor: Producer) -> bool:
    return actor.is_leader


def import_jobs_visible_to(actor: Producer):
    """An owner sees the agency's imports, a leader their own."""
    jobs = ImportJob.objects.filter(agency=actor.agency)
    return jobs if actor.is_owner else jobs.filter(created_by=actor)


def import_job_get(*, actor: Producer, job_id) -> ImportJob:
    try:
        return import_jobs_visible_to(actor).get(pk=int(job_id))
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404("No such import.") from None


def import_table(job: ImportJob) -> Table:
    return table_of_text(job.csv_text, max_rows=settings.IMPORT_MAX_ROWS)


def _reachable(actor: Producer):
    """Whose rows the importer may write: an owner anyone active in the agency, a leader
    their team (themselves when they have none)."""
    return producers_visible_to(actor).filter(is_active=True)


def import_lookups(*, actor: Producer, kind: str, table: Table | None = None,
                   mapping: dict | None = None) -> Lookups:
    agency = actor.agency
    producers = {(email or "").lower(): pk for pk, email in
                 _reachable(actor).values_list("pk", "user__email") if email}
    lookups = Lookups(producers=producers, today=local_now(agency).date())
    if kind == "prospects":
        stages = list(Stage.objects.filter(agency=agency).values_list("pk", "name", "kind"))
        lookups.stages = {name.lower(): pk for pk, name, _ in stages}
        lookups.default_stage = next((pk for pk, _, k in stages if k == Stage.Kind.OPEN), None)
        lookups.lines = {**{v.lower(): v for v in Prospect.LineOfBusiness.values},
                         **{label.lower(): v for v, label in Prospect.LineOfBusiness.choices}}
        for pk, external, owner, deleted in Prospect.all_objects.filter(agency=agency).values_list(
                "pk", "external_id", "owner_id", "deleted_at"):
            if external:
                lookups.existing[external.lower()] = (pk, owner, deleted is not None)
        lookups.natural = {(name.lower(), owner): pk for pk, name, owner in
                           Prospect.objects.filter(agency=agency, owner_id__in=producers.values())
                           .values_list("pk", "name", "owner_id")}
    elif kind == "activities":
        lookups.activity_types = {name.lower(): pk for pk, name in ActivityType.objects.filter(
            agency=agency).values_list("pk", "name")}
        lookups.prospects = {external.lower(): pk for pk, external in Prospect.objects.filter(
            agency=agency, owner_id__in=producers.values(), external_id__isnull=False)
            .values_list("pk", "external_id")}
    else:
        _people_lookups(lookups, actor=actor, table=table, mapping=mapping)
    return lookups


def _people_lookups(lookups: Lookups, *, actor: Producer, table, mapping) -> None:
    agency = actor.agency
    teams = Team.objects.filter(agency=agency)
    roles = Producer.Role.choices
    if not actor.is_owner:
        # A leader brings producers into their own team, nothing else.
        teams = teams.filter(pk=actor.team_id)
        roles = [(Producer.Role.PRODUCER, Producer.Role.PRODUCER.label)]
        lookups.default_team = actor.team_id
        lookups.team_only = actor.team_id or 0  # a leader with no team: no one's (ids start at 1)
    lookups.teams = {name.lower(): pk for pk, name in teams.values_list("pk", "name")}
    lookups.roles = {**{v: v for v, _ in roles}, **{label.lower(): v for v, label in roles},
                     **{v.replace("_", "-"): v for v, _ in roles}}
    lookups.people = {email.lower(): (pk, team, role) for pk, email, team, role in
                      Producer.objects.filter(agency=agency).values_list(
                          "pk", "user__email", "team_id", "role") if email}
    emails = set()
    if table is not None and mapping and mapping.get("email"):
        column = column_indexes(table.headers, mapping)["email"]
        emails = {row[column].lower() for row in table.rows if column is not None}
    # A login (username or email) of anyone outside the agency, or of no agency at all.
    taken = get_user_model().objects.filter(Q(username__in=emails) | Q(email__in=emails)).exclude(
        producer__agency=agency).values_list("username", "email")
    lookups.emails_elsewhere = {name.lower() for pair in taken for name in pair} & emails


@dataclass
class Preview:
    job: ImportJob
    headers: list[str]
    fields: tuple
    missing: list[str]
    first_rows: list[Row]
    problems: list[tuple[int, str]] = field(default_factory=list)
    problem_count: int = 0
    bad_rows: int = 0
    good_rows: int = 0
    updates: int = 0

    @property
    def more_problems(self) -> int:
        return self.problem_count - len(self.problems)


def import_preview(*, actor: Producer, job: ImportJob) -> Preview:
    """What the file holds and what is wrong with each row, before anything is written."""
    table = import_table(job)
    preview = Preview(job=job, headers=table.headers, fields=FIELDS[job.kind],
                      missing=missing_fields(job.kind, job.mapping), first_rows=[])
    if preview.missing:
        preview.first_rows = [Row(n + 2, cells, {}, []) for n, cells in
                              enumerate(table.rows[:PREVIEW_ROWS])]
        return preview
    lookups = import_lookups(actor=actor, kind=job.kind, table=table, mapping=job.mapping)
    for row in check_rows(job.kind, table.headers, job.mapping, table.rows, lookups):
        if len(preview.first_rows) < PREVIEW_ROWS:
            preview.first_rows.append(row)
        if row.ok:
            preview.good_rows += 1
            preview.updates += bool(row.values.get("match"))
            continue
        preview.bad_rows += 1
        for _, detail in row.problems:
            preview.problem_count += 1
            if len(preview.problems) < PROBLEMS_SHOWN:
                preview.problems.append((row.number, detail))
    return preview

