import pytest
from django.db import connection
from django.test import RequestFactory

from salesculture.celery import app as celery_app
from tests.factories import PASSWORD, AgencyFactory, ProducerFactory, TeamFactory
from tests.queries import Queries

# Work enqueued on commit runs inline in tests, unless a test starts a real worker.
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _broker_not_backed_off(monkeypatch):
    """A test that saw the broker away must not make the next test skip its publishing."""
    from salesculture import jobs

    monkeypatch.setattr(jobs, "_broker_down_until", 0.0)


@pytest.fixture(autouse=True)
def _no_tv_link_guesses_counted():
    """The test client's address starts each test with no wrong TV-link guesses counted (the
    count lives in the cache, which outlives a test)."""
    from salesculture.throttle import misses_reset

    misses_reset(scope="kiosk", address="127.0.0.1")


@pytest.fixture(autouse=True)
def _no_stored_cards_kept():
    """Each test's refreshes start as a worker's first: no stored card or funnel sum kept
    from another test's database (scorecards/stored_cards.py, funnel_sum.py)."""
    from accountability.scorecards.kept import kept_forget

    kept_forget()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Summit Test Agency")


@pytest.fixture
def team(agency):
    return TeamFactory(agency=agency, name="North")


@pytest.fixture
def producer(agency, team):
    return ProducerFactory(agency=agency, team=team, user__username="pat",
                           user__first_name="Pat", user__last_name="Producer")


@pytest.fixture
def leader(agency, team):
    return ProducerFactory(agency=agency, team=team, role="leader", user__username="lee",
                           user__first_name="Lee", user__last_name="Leader")


@pytest.fixture
def owner(agency, team):
    return ProducerFactory(agency=agency, team=team, role="owner", user__username="olive",
                           user__first_name="Olive", user__last_name="Owner")


@pytest.fixture
def other_agency(db):
    return AgencyFactory(name="Other Agency")


@pytest.fixture
def other_producer(other_agency):
    return ProducerFactory(agency=other_agency, user__username="stranger")


def login(client, producer):
    # Through the authentication backends with a request, as the login page does: django-axes'
    # backend refuses to authenticate without one.
    request = RequestFactory().post("/login/")
    assert client.login(request=request, username=producer.user.username, password=PASSWORD)
    return client


@pytest.fixture
def producer_client(client, producer):
    return login(client, producer)


@pytest.fixture
def leader_client(client, leader):
    return login(client, leader)


requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesculture")


# --- query counts ---------------------------------------------------------------------------

def pytest_assertrepr_compare(op, left, right):
    """A failed comparison of two query counts shows both runs' SQL."""
    if isinstance(left, Queries) and isinstance(right, Queries):
        lines = [f"{left!r} {op} {right!r}", "", "first run:"]
        lines += [f"  {n}. {q}" for n, q in enumerate(left.sql, 1)]
        lines += ["second run:"] + [f"  {n}. {q}" for n, q in enumerate(right.sql, 1)]
        return lines
    return None
