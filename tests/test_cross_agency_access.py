"""Every route that takes an id, given another agency's id, answers 404 — to the owner, who
sees the most of their own agency — and writes nothing. New routes are picked up
automatically; a route whose ids this test does not know how to fill fails loudly."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accountability.models import (
    Commitment,
    KioskLink,
    Meeting,
    MeetingTurn,
    Obstacle,
    WeeklyScorecard,
)
from pipeline.models import (
    Activity,
    ActivityType,
    ImportJob,
    LostReason,
    Prospect,
    Stage,
    StageAdvance,
)
from salesculture.api_tokens import api_token_create
from salesculture.invitations import invitation_create
from salesculture.models import ApiToken, AuditEvent, Invitation, Producer, Team, Webhook
from tests.accountability.coaching_data import one_on_one_with_action
from tests.conftest import login
from tests.factories import ActivityFactory, CommitmentFactory, ProducerFactory, ProspectFactory

# The JSON API takes a bearer token, not a login: its walk of the same ids is
# tests/api/test_api_access.py.
SKIP_PREFIXES = ("admin:", "api:")
# Reached by a secret in the link, not by an id and a login: each has its own tests
# (test_kiosk, salesculture/test_invitations, test_first_run, test_password_reset).
TOKEN_ROUTES = ("accountability:kiosk", "accountability:kiosk_poll", "invitation_accept",
                "first_run_link", "password_reset_confirm")


def routes_with_ids():
    found = []

    def walk(patterns, namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, f"{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                name = namespace + entry.name
                converters = entry.pattern.converters
                if converters and not name.startswith(SKIP_PREFIXES):
                    found.append((name, sorted(converters)))

    walk(get_resolver().url_patterns)
    return found


@pytest.fixture
def stranger_world(other_agency, settings):
    """One of everything, in another agency."""
    # The invitations throttle counts per agency in the cache, which outlives a test, and each
    # route here makes the same agency (same id) again: without this the 31st route is refused.
    settings.INVITATIONS_PER_HOUR = 10_000
    stranger = ProducerFactory(agency=other_agency, role="leader")
    prospect = ProspectFactory(owner=stranger)
    activity = ActivityFactory(producer=stranger)
    commitment = CommitmentFactory(producer=stranger)
    meeting = Meeting.objects.create(
        agency=other_agency, team=stranger.team, week_start=dt.date(2026, 11, 16),
        started_by=stranger, started_at=timezone.now(), section_started_at=timezone.now())
    turn = MeetingTurn.objects.create(meeting=meeting, producer=stranger, position=0)
    obstacle = Obstacle.objects.create(agency=other_agency, team=stranger.team, text="Theirs",
                                       owner=stranger, due_date=dt.date(2026, 11, 30),
                                       raised_at=timezone.now())
    link = KioskLink.objects.create(agency=other_agency, team=stranger.team,
                                    token="t" * 43, created_by=stranger)
    # SQLite reuses the rolled-back agency's id, and the cache outlives a test: without this
    # the agency's hourly invitations run out after that many routes.
    cache.delete(f"rate:invitations:{other_agency.pk}")
    invitation, _ = invitation_create(actor=ProducerFactory(agency=other_agency, role="owner"),
                                      email="invitee@example.com", name="Invitee",
                                      role="producer", team=stranger.team)
    job = ImportJob.objects.create(agency=other_agency, created_by=stranger, kind="prospects",
                                   csv_text="Name,Owner email\nAcme,a@x.co\n", total_rows=1,
                                   mapping={"name": "Name", "owner_email": "Owner email"})
    token, _ = api_token_create(producer=stranger, name="Their dialer")
    webhook = Webhook.objects.create(agency=other_agency, url="https://example.com/hook",
                                     secret="s", events=["stage.win"])
    one_on_one = one_on_one_with_action(leader=stranger,
                                        producer=ProducerFactory(agency=other_agency,
                                                                 team=stranger.team))
    return {
        "one_on_one_id": one_on_one.pk, "action_id": one_on_one.actions.get().pk,
        "pk": {"pipeline": prospect.pk, "accountability": commitment.pk,
               **settings_pks(agency=other_agency, team=stranger.team, producer=stranger)},
        "producer_id": stranger.pk, "token_id": token.pk, "webhook_id": webhook.pk,
        "prospect_id": prospect.pk,
        "activity_id": activity.pk, "meeting_id": meeting.pk,
        "turn_id": turn.pk, "link_id": link.pk, "token": link.token, "job_id": job.pk,
        "invitation_id": invitation.pk, "obstacle_id": obstacle.pk,
    }


def settings_pks(*, agency, team, producer) -> dict[str, int]:
    """The ids the Settings area's routes take, from `agency` (url name → pk)."""
    stage = Stage.objects.filter(agency=agency).order_by("position").first()
    kind = ActivityType.objects.filter(agency=agency).first()
    reason = LostReason.objects.filter(agency=agency).first()
    pks = {"settings_team": team.pk, "settings_member_move": producer.pk,
           "settings_member_leader": producer.pk}
    for suffix in ("", "_move", "_retire", "_restore", "_delete"):
        pks[f"pipeline_settings:stage{suffix}"] = stage.pk
    for suffix in ("", "_move", "_active"):
        pks[f"pipeline_settings:activity_type{suffix}"] = kind.pk
        pks[f"pipeline_settings:lost_reason{suffix}"] = reason.pk
    return pks


def _kwargs(name, params, world):
    kwargs = {}
    for param in params:
        value = world[param]
        if isinstance(value, dict):
            # By the route's own name (the settings pages), else by its app's namespace.
            value = value[name] if name in value else value[name.split(":")[0]]
        kwargs[param] = value
    return kwargs


def _ledger_state():
    # Prospect.objects hides deleted prospects, so a soft delete shows here; every change is
    # an audit event too.
    return (StageAdvance.objects.count(), Activity.objects.count(), Commitment.objects.count(),
            Prospect.objects.count(), AuditEvent.objects.count(),
            list(Meeting.objects.values_list("section", "version", "turn_index", "rating")),
            list(MeetingTurn.objects.values_list("note", flat=True)),
            list(KioskLink.objects.values_list("revoked_at", flat=True)),
            list(Invitation.objects.values_list("revoked_at", "token_hash")),
            WeeklyScorecard.objects.count(),
            # the Settings area's rows
            list(Stage.objects.order_by("pk").values_list("name", "position", "retired_at")),
            list(ActivityType.objects.order_by("pk").values_list("name", "position", "is_active")),
            list(LostReason.objects.order_by("pk").values_list("name", "position", "is_active")),
            list(Team.objects.order_by("pk").values_list("name", flat=True)),
            list(Producer.objects.order_by("pk").values_list("team_id", "role", "is_active")),
            list(ImportJob.objects.values_list("status", "mapping")),
            list(ApiToken.objects.values_list("revoked_at", flat=True)),
            Webhook.objects.count(),
            list(Obstacle.objects.values_list("closed_at", flat=True)), Obstacle.objects.count())


def test_every_route_with_an_id_is_covered_here():
    names = {name for name, _ in routes_with_ids()}
    assert "pipeline:prospect" in names and "accountability:drilldown" in names
    # The kiosk is reached by token (no login): a stranger's token works for its own TV only,
    # and is tested in test_kiosk; every other id-taking route is checked below.


@pytest.mark.parametrize("name,params", [r for r in routes_with_ids()
                                         if r[0] not in TOKEN_ROUTES])
def test_another_agencys_id_answers_404_and_changes_nothing(client, owner, stranger_world,
                                                            name, params):
    login(client, owner)
    url = reverse(name, kwargs=_kwargs(name, params, stranger_world))
    before = _ledger_state()

    get, post = client.get(url), client.post(url, {"note": "x", "rating": "7", "target": "5"})

    statuses = {get.status_code, post.status_code}
    assert statuses <= {404, 405}, f"{url}: GET {get.status_code}, POST {post.status_code}"
    assert 404 in statuses
    assert _ledger_state() == before


@pytest.mark.parametrize("url", [
    "/pipeline/?producer={producer_id}",
    "/live/wins/?v=0&producer={producer_id}",
    "/funnel/?scope=producer:{producer_id}",
    "/team/?team={team_id}",
    "/live/team/rows/?team={team_id}",
    "/audit/?person={producer_id}",
])
def test_another_agencys_id_in_a_query_answers_404(client, owner, other_agency, url):
    login(client, owner)
    stranger = ProducerFactory(agency=other_agency)
    response = client.get(url.format(producer_id=stranger.pk, team_id=stranger.team_id))
    assert response.status_code == 404
