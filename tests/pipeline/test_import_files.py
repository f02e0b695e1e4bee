"""Files as they come from spreadsheets, through the upload page: each odd one is read or
answered with a clear message (400), never a 500."""

import pytest

from pipeline.models import ImportJob, Prospect
from tests.conftest import login
from tests.pipeline.import_helpers import confirm, csv_bytes, upload, upload_job

ROW = ["Café Zoë", "pat@example.com", "Lead", "", "1234,50", "", "", "", "Z-1"]


@pytest.fixture
def owner_client(client, owner, producer):
    return login(client, owner)


@pytest.mark.parametrize(("data", "message"), [
    (b"", "This file is empty. Choose the CSV file with your rows."),
    (b"Name,Owner email\r\n", "This file has only the header line and no rows to import."),
    ("Name,Owner email\r\nA,b\r\n".encode("utf-16"), "This file is saved as UTF-16"),
    (b"\x00\x01\x02binary", "This does not look like a CSV file"),
])
def test_a_file_that_cannot_be_imported_gets_a_clear_message(owner_client, data, message):
    response = upload(owner_client, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_a_file_over_the_limit_gets_a_clear_message(owner_client, settings):
    settings.IMPORT_MAX_BYTES = 10 * 1024 * 1024
    data = csv_bytes([ROW] * 210_000)
    assert len(data) > 10 * 1024 * 1024

    response = upload(owner_client, data)

    assert response.status_code == 400
    assert "files up to 10 MB can be imported" in response.content.decode()


def test_too_many_rows_get_a_clear_message(owner_client, settings):
    settings.IMPORT_MAX_ROWS = 3
    response = upload(owner_client, csv_bytes([ROW] * 4))
    assert "This file has 4 rows; up to 3 can be imported at once." in response.content.decode()


def test_no_file_or_no_kind_is_asked_for(owner_client):
    response = owner_client.post("/import/", {"kind": "prospects"})
    assert response.status_code == 400
    assert "Choose a CSV file to upload." in response.content.decode()


@pytest.mark.parametrize(("encoding", "delimiter", "bom"), [
    ("utf-8", ",", False), ("utf-8", ",", True), ("latin-1", ",", False),
    ("cp1252", ";", False), ("utf-8", ";", True), ("utf-8", "\t", False),
])
def test_encodings_and_delimiters_import_the_same(owner_client, producer, encoding, delimiter,
                                                  bom, django_capture_on_commit_callbacks):
    data = csv_bytes([ROW], delimiter=delimiter, encoding=encoding)
    job = upload_job(owner_client, (b"\xef\xbb\xbf" if bom else b"") + data)
    assert job.mapping["name"] == "Name"  # the byte-order mark is not part of the header

    confirm(owner_client, job, django_capture_on_commit_callbacks)

    prospect = Prospect.objects.get()
    assert (prospect.name, prospect.estimated_revenue) == ("Café Zoë", 1234.5)


def test_excel_quoted_newlines_import_into_one_cell(owner_client, producer,
                                                   django_capture_on_commit_callbacks):
    data = (b'Name,Owner email,Next step\r\n"Acme, Inc.",pat@example.com,"Call\r\nthen email"\r\n'
            b"Beta,pat@example.com,Visit\r\n")
    job = upload_job(owner_client, data)
    assert job.total_rows == 2

    confirm(owner_client, job, django_capture_on_commit_callbacks)

    assert Prospect.objects.get(name="Acme, Inc.").next_step == "Call\r\nthen email"


def test_the_sample_files_import_cleanly_and_are_served_as_they_are_in_tests_data(
        owner_client):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for name in ("prospects.csv", "activities.csv", "people.csv"):
        assert (root / "static/samples" / name).read_bytes() == (
            root / "tests/data" / name).read_bytes()


@pytest.mark.parametrize("kind", ["prospects", "activities", "people"])
def test_each_sample_file_previews_without_a_problem_in_the_demo_agency(db, client, kind):
    from pathlib import Path

    from django.core.management import call_command

    from salesculture.models import Producer

    call_command("seed_demo", producers=4, weeks=1, verbosity=0)
    client.force_login(Producer.objects.get(user__username="owner").user)
    data = (Path(__file__).resolve().parents[1] / "data" / f"{kind}.csv").read_bytes()

    job = upload_job(client, data, kind=kind)
    page = client.get(f"/import/{job.pk}/").content.decode()

    assert f"{job.total_rows} ready" in page and "0 with problems" in page
