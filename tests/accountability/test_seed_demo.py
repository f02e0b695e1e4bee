import pytest
from django.core.management import call_command
from django.db import models, transaction

from accountability.models import Celebration, Commitment, ConfidenceCheckIn, WeeklyScorecard
from pipeline.models import Prospect, Stage, StageAdvance
from salesculture.models import Agency, Producer


def counts():
    return {model.__name__: model.objects.count() for model in (
        Agency, Producer, Prospect, StageAdvance, Commitment, WeeklyScorecard, Celebration,
        ConfidenceCheckIn)}


@pytest.mark.django_db
def test_seed_demo_twice_loads_one_agency_without_duplicates():
    call_command("seed_demo", verbosity=0)
    first = counts()
    call_command("seed_demo", verbosity=0)
    assert counts() == first

    agency = Agency.objects.get()
    assert (agency.name, agency.time_zone) == ("Summit Insurance Group", "America/Chicago")
    roles = sorted(Producer.objects.values_list("role", flat=True))
    assert roles.count("owner") == 1 and roles.count("leader") == 2
    assert roles.count("producer") == 8
    assert agency.teams.count() == 2
    assert not Producer.objects.filter(why="").exists()
    # 13 weeks of history with prospects in every stage, kept and missed commitments.
    assert WeeklyScorecard.objects.values("week_start").distinct().count() == 13
    reached = set(StageAdvance.objects.values_list("to_stage__name", flat=True))
    assert reached == set(Stage.objects.values_list("name", flat=True))
    statuses = set(Commitment.objects.values_list("status", flat=True))
    assert {"kept", "missed"} <= statuses


def _seed_and_roll_back() -> list:
    with transaction.atomic():
        call_command("seed_demo", verbosity=0, producers=2, weeks=3)
        rows = list(Prospect.objects.order_by("pk").values_list("name", "estimated_revenue",
                                                                "stage__name"))
        transaction.set_rollback(True)
    return rows


@pytest.mark.django_db
def test_seed_demo_is_the_same_every_time():
    first = _seed_and_roll_back()
    assert first and _seed_and_roll_back() == first


@pytest.mark.django_db
def test_bigger_data_on_request():
    call_command("seed_demo", verbosity=0, producers=12, weeks=4)
    assert Producer.objects.count() == 15
    assert WeeklyScorecard.objects.values("week_start").distinct().count() == 4


@pytest.mark.django_db
def test_the_demo_shows_every_plan_label_and_one_role_fit_conversation():
    from accountability.models import GoalPlan
    from accountability.planning.rolefit import role_fit_list

    call_command("seed_demo", verbosity=0)
    labels = set(GoalPlan.objects.values_list("label", flat=True))
    assert {"realistic", "stretch", "pretend"} <= labels
    leader = Producer.objects.get(user__username="leader")
    rows, _, flagged_count = role_fit_list(leader, page=None)
    james = Producer.objects.get(user__username="james")
    assert [fit.producer.pk for fit in rows if fit.flagged] == [james.pk]
    assert flagged_count == 1


@pytest.mark.django_db
def test_a_fresh_visitor_is_not_offered_to_undo_a_seeded_activity(client):
    from django.test import RequestFactory

    from pipeline.models import Activity
    from pipeline.selectors import last_undoable_activity

    call_command("seed_demo", verbosity=0, producers=2, weeks=2)
    assert client.login(request=RequestFactory().post("/login/"), username="producer",
                        password="salesculture")
    html = client.get("/week/").content.decode()
    assert 'class="undo-bar"' not in html and "Undo</button>" not in html
    assert all(last_undoable_activity(p, seconds=60) is None for p in Producer.objects.all())
    # The history still reads as history: each row written when it happened.
    assert not Activity.objects.exclude(created_at=models.F("occurred_at")).exists()
