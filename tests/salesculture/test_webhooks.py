"""Outgoing webhooks, against a receiver this test starts on 127.0.0.1 (with
WEBHOOKS_ALLOW_PRIVATE on): a win posts exactly one signed delivery; a receiver that fails twice
then succeeds gets three attempts and the log says so; Slack and Teams bodies post as is;
private and loopback addresses are refused when the setting is off."""

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from pipeline.services import prospect_advance
from salesculture.models import AuditEvent, WebhookDelivery
from salesculture.webhooks import webhook_create
from tests.conftest import login
from tests.factories import ProspectFactory, stage


class Receiver:
    """A tiny HTTP server that records every POST and answers the statuses it is given."""

    def __init__(self, statuses=(200,)):
        self.calls, self.statuses = [], list(statuses)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                receiver.calls.append((self.headers, body))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else \
                    receiver.statuses[0]
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    made = []

    def start(statuses=(200,)):
        made.append(Receiver(statuses))
        return made[-1]

    yield start
    for server in made:
        server.close()


def _win(producer, agency, capture):
    prospect = ProspectFactory(owner=producer, name="Acme")
    with capture(execute=True):
        prospect_advance(prospect=prospect, to_stage=stage(agency, "Contacted"), actor=producer,
                         expected_stage=prospect.stage, next_step="Call",
                         next_step_due=timezone.localdate() + dt.timedelta(days=1))
    return prospect


def test_a_win_posts_exactly_one_signed_delivery(receiver, owner, producer, agency,
                                                 django_capture_on_commit_callbacks):
    server = receiver()
    hook = webhook_create(actor=owner, url=server.url, events=["stage.win"])

    _win(producer, agency, django_capture_on_commit_callbacks)

    assert len(server.calls) == 1
    headers, body = server.calls[0]
    expected = hmac.new(hook.secret.encode(),
                        f"{headers['X-SalesCulture-Timestamp']}.{body}".encode(),
                        hashlib.sha256).hexdigest()
    assert headers["X-SalesCulture-Signature"] == f"sha256={expected}"
    assert headers["X-SalesCulture-Event"] == "stage.win"
    payload = json.loads(body)
    assert payload["text"] == "🎉 Win! Acme moved to Contacted. Success is the next step."
    assert payload["data"]["producer"]["name"] == "Pat Producer"
    assert [s["name"] for s in payload["data"]["stages_won"]] == ["Contacted"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)


def test_a_receiver_failing_twice_gets_three_attempts_and_the_log_says_so(
        receiver, client, owner, producer, agency, django_capture_on_commit_callbacks):
    server = receiver(statuses=(500, 503, 200))
    hook = webhook_create(actor=owner, url=server.url, events=["stage.win"])

    _win(producer, agency, django_capture_on_commit_callbacks)

    assert len(server.calls) == 3
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 3, 200)
    login(client, owner)
    page = client.get(f"/settings/webhooks/{hook.pk}/").content.decode()
    assert "Delivered" in page and "3 attempts" in page and "answered 200" in page


def test_slack_and_teams_bodies_post_to_a_channel_as_is(receiver, owner, producer, agency,
                                                        django_capture_on_commit_callbacks):
    slack, teams = receiver(), receiver()
    webhook_create(actor=owner, url=slack.url, events=["stage.win"], body_format="slack")
    webhook_create(actor=owner, url=teams.url, events=["stage.win"], body_format="teams")

    _win(producer, agency, django_capture_on_commit_callbacks)

    text = "🎉 Win! Acme moved to Contacted. Success is the next step."
    assert json.loads(slack.calls[0][1]) == {"text": text}
    card = json.loads(teams.calls[0][1])["attachments"][0]["content"]
    assert card["body"][0]["text"] == text


def test_a_webhook_not_asking_for_wins_gets_none(receiver, owner, producer, agency,
                                                 django_capture_on_commit_callbacks):
    server = receiver()
    webhook_create(actor=owner, url=server.url, events=["meeting.ended"])
    _win(producer, agency, django_capture_on_commit_callbacks)
    assert server.calls == [] and not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/hook", "http://10.0.0.5/hook",
                                 "http://169.254.169.254/latest/meta-data",
                                 "http://localhost/hook", "http://[::1]/hook"])
def test_a_private_or_loopback_address_is_refused(client, owner, url, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    login(client, owner)
    response = client.post("/settings/webhooks/", {"url": url, "events": ["stage.win"],
                                                   "body_format": "json"})
    assert response.status_code == 400
    assert "private or local address" in response.content.decode()
    assert not owner.agency.webhooks.exists()


def test_a_name_re_pointed_to_a_private_address_is_refused_at_sending(
        receiver, owner, producer, agency, settings, django_capture_on_commit_callbacks):
    server = receiver()
    webhook_create(actor=owner, url=server.url, events=["stage.win"])
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    _win(producer, agency, django_capture_on_commit_callbacks)

    assert server.calls == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("refused", 1)


def test_webhooks_are_an_owners_and_audited(client, owner, leader, receiver, other_producer):
    server = receiver()
    login(client, leader)
    assert client.get("/settings/webhooks/").status_code == 404
    login(client, owner)
    response = client.post("/settings/webhooks/", {"url": server.url, "events": ["stage.win"],
                                                   "body_format": "slack"})
    assert response.status_code == 302
    hook = owner.agency.webhooks.get()
    assert client.get(f"/settings/webhooks/{hook.pk}/").status_code == 200
    assert client.post(f"/settings/webhooks/{hook.pk}/remove/").status_code == 302
    assert not owner.agency.webhooks.exists()
    assert list(AuditEvent.objects.filter(kind__startswith="webhook").values_list(
        "kind", flat=True).order_by("id")) == ["webhook.created", "webhook.deleted"]


def test_another_agencys_webhook_is_a_404(client, owner, other_agency, receiver):
    from tests.factories import ProducerFactory

    theirs = webhook_create(actor=ProducerFactory(agency=other_agency, role="owner"),
                            url=receiver().url, events=["stage.win"])
    login(client, owner)
    assert client.get(f"/settings/webhooks/{theirs.pk}/").status_code == 404
    assert client.post(f"/settings/webhooks/{theirs.pk}/remove/").status_code == 404


def test_a_meeting_that_ends_is_posted(receiver, owner, leader, team, agency,
                                       django_capture_on_commit_callbacks):
    from accountability.meetings.services import meeting_end, meeting_start
    from salesculture.weeks import Week

    server = receiver()
    webhook_create(actor=owner, url=server.url, events=["meeting.ended"], body_format="slack")
    meeting = meeting_start(team=team, week_start=Week.current(agency).start, actor=leader)

    with django_capture_on_commit_callbacks(execute=True):
        meeting_end(meeting=meeting, actor=leader)

    assert [json.loads(body) for _, body in server.calls] == [
        {"text": "The North weekly meeting ended."}]


def test_a_closed_week_posts_its_kept_and_missed_commitments(
        receiver, owner, producer, agency, django_capture_on_commit_callbacks):
    from accountability.scorecards.rollover import week_close
    from salesculture.weeks import Week
    from tests.factories import CommitmentFactory, activity_type

    server = receiver()
    webhook_create(actor=owner, url=server.url, events=["commitment.judged"])
    last_week = Week.current(agency).previous
    CommitmentFactory(producer=producer, week_start=last_week.start, kind="activity",
                      activity_type=activity_type(agency), target=3)

    with django_capture_on_commit_callbacks(execute=True):
        week_close(agency=agency, week_start=last_week.start)

    payload = json.loads(server.calls[0][1])
    assert payload["event"] == "commitment.judged"
    assert (payload["data"]["kept"], payload["data"]["missed"]) == (0, 1)
    assert payload["data"]["commitments"][0]["status"] == "missed"
    assert payload["text"] == f"Week of {last_week.label} closed: 0 of 1 commitments kept."


def test_a_redirect_is_not_followed(receiver, owner, producer, agency,
                                    django_capture_on_commit_callbacks):
    server = receiver(statuses=(302,))
    webhook_create(actor=owner, url=server.url, events=["stage.win"])

    _win(producer, agency, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    # Each attempt got the 302 and stopped there; none went where it pointed.
    assert (delivery.status, delivery.response_code) == ("failed", 302)
    assert len(server.calls) == delivery.attempts == 5


def test_a_new_celebration_posts_once_and_a_second_refresh_sends_nothing(
        receiver, owner, producer, agency, django_capture_on_commit_callbacks):
    """The `celebration` event: a personal best (the win itself is `stage.win`'s, not sent
    here); the refresh that runs again finds nothing new and sends nothing."""
    from accountability.models import WeeklyScorecard
    from accountability.scorecards.celebrations import PERSONAL_BEST_MIN_WINS
    from accountability.scorecards.refresh import scorecards_refresh
    from salesculture.weeks import Week

    server = receiver()
    webhook_create(actor=owner, url=server.url, events=["celebration"])
    this_week = Week.current(agency)
    WeeklyScorecard.objects.create(agency=agency, producer=producer, wins=1,
                                   week_start=this_week.shift(-1).start,
                                   computed_at=timezone.now())
    for n in range(max(2, PERSONAL_BEST_MIN_WINS)):
        prospect = ProspectFactory(owner=producer, name=f"Best {n}")
        prospect_advance(prospect=prospect, to_stage=stage(agency, "Contacted"), actor=producer,
                         expected_stage=prospect.stage, next_step="Call",
                         next_step_due=timezone.localdate() + dt.timedelta(days=1))
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            scorecards_refresh(agency=agency, week_start=this_week.start)

    assert len(server.calls) == 1
    headers, body = server.calls[0]
    assert headers["X-SalesCulture-Event"] == "celebration"
    payload = json.loads(body)
    assert payload["data"]["kind"] == "personal_best"
    assert payload["text"].startswith("Personal best: Pat Producer has")


def test_a_delivery_whose_message_was_lost_is_sent_by_the_sweep(
        receiver, owner, producer, agency, django_capture_on_commit_callbacks):
    """The broker was away when the win committed: the delivery row waits, its message never
    sent. The beat's sweep sends it once it is SWEEP_GRACE late, exactly once, and leaves a
    retry that is merely waiting for its backoff alone."""
    from salesculture.tasks import sweep_webhook_deliveries
    from salesculture.webhooks import SWEEP_GRACE

    server = receiver()
    webhook_create(actor=owner, url=server.url, events=["stage.win"])
    prospect = ProspectFactory(owner=producer, name="Acme")
    with django_capture_on_commit_callbacks(execute=False):  # the message is never published
        prospect_advance(prospect=prospect, to_stage=stage(agency, "Contacted"), actor=producer,
                         expected_stage=prospect.stage, next_step="Call",
                         next_step_due=timezone.localdate() + dt.timedelta(days=1))
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and not server.calls

    assert sweep_webhook_deliveries() == 0  # not late yet: its message may be on its way
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - SWEEP_GRACE - dt.timedelta(seconds=1))
    assert sweep_webhook_deliveries() == 1  # Celery is eager in tests: sent now
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, len(server.calls)) == ("delivered", 1, 1)
    assert sweep_webhook_deliveries() == 0


def test_the_sweep_resends_a_retry_only_once_its_backoff_is_long_past(receiver, owner):
    from salesculture.webhooks import SWEEP_GRACE, deliveries_overdue, retry_after_seconds

    hook = webhook_create(actor=owner, url=receiver().url, events=["stage.win"])
    now = timezone.now()
    backoff = dt.timedelta(seconds=retry_after_seconds(2))  # 2 min after the second attempt
    waiting = WebhookDelivery.objects.create(
        webhook=hook, event="stage.win", body="{}", status="retrying", attempts=2,
        last_attempt_at=now - backoff - SWEEP_GRACE + dt.timedelta(seconds=5))
    lost = WebhookDelivery.objects.create(
        webhook=hook, event="stage.win", body="{}", status="retrying", attempts=2,
        last_attempt_at=now - backoff - SWEEP_GRACE - dt.timedelta(seconds=5))
    WebhookDelivery.objects.create(webhook=hook, event="stage.win", body="{}",
                                   status="failed", attempts=5,
                                   last_attempt_at=now - dt.timedelta(days=1))
    assert deliveries_overdue(now) == [lost.pk]
    assert waiting.pk not in deliveries_overdue(now)


def test_the_call_goes_to_the_address_the_guard_checked_not_a_second_lookup(
        receiver, owner, settings, monkeypatch):
    """DNS rebinding: the name answers a public address to the guard, then a loopback one.
    The delivery connects to the address that was checked; the name is not looked up again,
    so the receiver listening on the loopback address never hears from it."""
    import socket

    from salesculture.models import Webhook
    from salesculture.webhooks import webhook_attempt

    server = receiver()
    port = server.server.server_port
    hook = Webhook.objects.create(agency=owner.agency, url=f"http://hooks.example:{port}/hook",
                                  events=["stage.win"], secret="s" * 32)
    delivery = WebhookDelivery.objects.create(webhook=hook, event="stage.win", body="{}")
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    answers = iter(["93.184.215.14", "127.0.0.1", "127.0.0.1"])
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *args, **kwargs: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), 0))])
    connected = []

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        raise OSError("no route from this test")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    assert webhook_attempt(delivery.pk) == "retrying"
    assert connected == [("93.184.215.14", port)]
    assert server.calls == []
