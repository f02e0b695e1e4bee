"""A spreadsheet brought in is history, not this year's selling: an imported prospect already
Bound counts in the average size of a bound deal, not in the revenue bound this year, and
the imported rows are no week's stage history."""

from django.utils import timezone

from accountability.planning.selectors import _bound_revenue, _weekly_counts
from pipeline.models import Stage
from tests.conftest import login
from tests.pipeline.import_helpers import confirm, upload_job


def test_an_imported_bound_prospect_is_history_not_this_years_revenue(
        client, owner, producer, django_capture_on_commit_callbacks):
    login(client, owner)
    data = (b"Name,Owner email,Stage,Estimated revenue\r\n"
            b"Old Client,pat@example.com,Bound,5000\r\nNew Lead,pat@example.com,Lead,100\r\n")
    confirm(client, upload_job(client, data), django_capture_on_commit_callbacks)
    now = timezone.now()
    start = now - timezone.timedelta(days=365)

    bound = _bound_revenue(producer, start, now + timezone.timedelta(seconds=1))

    assert (bound.own_n, bound.own_sum) == (1, 5000)
    assert (bound.ytd_n, bound.ytd_sum or 0) == (0, 0)
    path = list(Stage.objects.filter(agency=owner.agency).exclude(kind="lost"))
    assert _weekly_counts(producer, start, now + timezone.timedelta(seconds=1), path) == {}
