"""Inside one agency, every route that takes an id answers 404 (or 403/302 for a deactivated
person or a visitor) to anyone who may not see that row: a colleague on the same team, the
leader of another team, a non-producer. Nothing is written by GET or by a refused POST.
(Other agencies' ids: test_cross_agency_access.)"""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accountability.meetings.services import meeting_start
from accountability.models import Commitment, KioskLink, Obstacle
from pipeline.models import ImportJob
from salesculture.api_tokens import api_token_create
from salesculture.invitations import invitation_create
from salesculture.models import Webhook
from salesculture.weeks import Week
from tests.accountability.coaching_data import one_on_one_with_action
from tests.conftest import login
from tests.factories import (
    ActivityFactory,
    CommitmentFactory,
    ProducerFactory,
    ProspectFactory,
    TeamFactory,
)
from tests.test_cross_agency_access import TOKEN_ROUTES, _kwargs, routes_with_ids, settings_pks
from tests.test_fuzz_forms import snapshot

ROUTES = [r for r in routes_with_ids() if r[0] not in TOKEN_ROUTES]


@pytest.fixture
def north(agency, team, producer, leader, owner):
    """Pat's rows on team North, and the people who may not see them."""
    prospect = ProspectFactory(owner=producer)
    commitment = CommitmentFactory(producer=producer, kind=Commitment.Kind.SPECIFIC,
                                   week_start=Week.current(agency).start + dt.timedelta(weeks=1))
    meeting = meeting_start(team=team, week_start=Week.current(agency).start, actor=leader)
    link = KioskLink.objects.create(agency=agency, team=team, token="k" * 43, created_by=leader)
    south = TeamFactory(agency=agency, name="South")
    one_on_one = one_on_one_with_action(leader=leader, producer=producer)
    return {
        "world": {"pk": {"pipeline": prospect.pk, "accountability": commitment.pk,
                         **settings_pks(agency=agency, team=team, producer=producer)},
                  "producer_id": producer.pk, "prospect_id": prospect.pk,
                  "one_on_one_id": one_on_one.pk, "action_id": one_on_one.actions.get().pk,
                  "token_id": api_token_create(producer=producer, name="Dialer")[0].pk,
                  "webhook_id": Webhook.objects.create(
                      agency=agency, url="https://example.com/hook", secret="s",
                      events=["stage.win"]).pk,
                  "activity_id": ActivityFactory(producer=producer).pk,
                  "meeting_id": meeting.pk, "turn_id": meeting.turns.get(producer=producer).pk,
                  "link_id": link.pk,
                  "obstacle_id": Obstacle.objects.create(
                      agency=agency, team=team, text="Pat's own", owner=producer,
                      due_date=dt.date(2030, 1, 7), raised_at=meeting.started_at).pk,
                  "invitation_id": invitation_create(
                      actor=owner, email="invitee@example.com", name="Invitee",
                      role="producer", team=team)[0].pk,
                  "job_id": ImportJob.objects.create(
                      agency=agency, created_by=leader, kind="prospects", total_rows=1,
                      csv_text="Name,Owner email\r\nAcme,a@example.com\r\n").pk},
        "people": {
            "colleague": ProducerFactory(agency=agency, team=team),
            "south_leader": ProducerFactory(agency=agency, team=south, role="leader"),
            "non_producer": ProducerFactory(agency=agency, team=team, role="non_producer"),
            "deactivated": ProducerFactory(agency=agency, team=team, is_active=False),
            "visitor": None,
        },
    }


ALLOWED = {"colleague": {404, 405}, "south_leader": {404, 405}, "non_producer": {404, 405},
           "deactivated": {403, 405}, "visitor": {302, 405}}


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_someone_who_may_not_see_a_row_gets_404_and_changes_nothing(north, who):
    client = Client()
    person = north["people"][who]
    if person is not None:
        login(client, person)
    before = snapshot()
    for name, params in ROUTES:
        url = reverse(name, kwargs=_kwargs(name, params, north["world"]))
        for response in (client.get(url), client.post(url, {"note": "x", "rating": "7",
                                                            "role": "non_producer",
                                                            "done": "1", "direction": "next"})):
            assert response.status_code in ALLOWED[who], (who, url, response.status_code)
    assert snapshot() == before
