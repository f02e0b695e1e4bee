"""The preview and the progress poll cost the same number of queries however many rows the
file has (the lookups are read once per file, not per row)."""

import pytest

from tests.conftest import login
from tests.pipeline.import_helpers import confirm, csv_bytes, upload_job
from tests.queries import queries_of


def _rows(n):
    return [[f"Prospect {i}", "pat@example.com", "Lead", "", "10", "", "", "", f"Q-{i}"]
            for i in range(n)]


@pytest.mark.parametrize("kind", ["prospects"])
def test_the_preview_costs_the_same_for_3_rows_and_300(client, owner, producer, kind):
    login(client, owner)
    small = upload_job(client, csv_bytes(_rows(3)))
    large = upload_job(client, csv_bytes(_rows(300) + [["Bad", "who@x.co", "", "", "", "", "",
                                                        "", ""]]))

    assert queries_of(client.get, f"/import/{small.pk}/") == queries_of(
        client.get, f"/import/{large.pk}/")


def test_the_progress_poll_costs_the_same_for_3_rows_and_300(
        client, owner, producer, django_capture_on_commit_callbacks):
    login(client, owner)
    small = confirm(client, upload_job(client, csv_bytes(_rows(3))),
                    django_capture_on_commit_callbacks)
    large = confirm(client, upload_job(client, csv_bytes(_rows(300))),
                    django_capture_on_commit_callbacks)

    assert queries_of(client.get, f"/import/{small.pk}/progress/") == queries_of(
        client.get, f"/import/{large.pk}/progress/")
    assert queries_of(client.get, f"/import/{large.pk}/progress/").count <= 6


def test_the_upload_page_costs_the_same_with_1_import_listed_and_10(client, owner, leader):
    from pipeline.models import ImportJob

    login(client, owner)

    def job(by):
        ImportJob.objects.create(agency=owner.agency, created_by=by, kind="prospects",
                                 filename="f.csv", total_rows=1)

    job(owner)
    one = queries_of(client.get, "/import/")
    for _ in range(9):
        job(leader)
    page = client.get("/import/").content.decode()
    assert page.count("f.csv") == 10 and "Lee Leader" in page
    assert queries_of(client.get, "/import/") == one
