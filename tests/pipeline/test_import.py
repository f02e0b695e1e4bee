"""CSV import of prospects: upload, preview with every row's problems, confirm, a Celery task
that writes all or nothing, progress and summary; re-imports create no duplicates."""

import pytest

from accountability.models import Celebration, WeeklyScorecard
from pipeline.imports import apply
from pipeline.models import ImportJob, Prospect, StageAdvance, StageWin
from pipeline.services import prospect_advance
from salesculture.models import DirtyWeek
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import ProducerFactory, stage
from tests.pipeline.import_helpers import confirm, csv_bytes, upload, upload_job

CLEAN = [
    ["Harbor Bakery", "pat@example.com", "Contacted", "Commercial lines", "$4,800", "Referral",
     "Call back", "2030-01-15", "AMS-1"],
    ["Lopez Family", "pat@example.com", "Lead", "personal", "1250", "", "", "", "AMS-2"],
    ["Oak Cafe", "olive@example.com", "Bound", "Commercial lines", "6400", "", "", "", ""],
]


@pytest.fixture
def owner_client(client, owner):
    return login(client, owner)


def test_a_clean_file_is_previewed_then_imported(owner_client, owner, producer,
                                                 django_capture_on_commit_callbacks):
    job = upload_job(owner_client, csv_bytes(CLEAN))

    page = owner_client.get(f"/import/{job.pk}/").content.decode()
    assert "3 ready" in page and "0 with problems" in page
    assert "Harbor Bakery" in page and "Import 3 rows" in page
    assert Prospect.objects.count() == 0  # the preview writes nothing

    job = confirm(owner_client, job, django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.DONE
    assert job.summary["created"] == 3 and job.summary["skipped"] == 0
    bakery = Prospect.objects.get(external_id="AMS-1")
    assert (bakery.owner, bakery.stage.name, bakery.estimated_revenue, bakery.line_of_business,
            str(bakery.next_step_due)) == (producer, "Contacted", 4800, "commercial",
                                           "2030-01-15")
    assert Prospect.objects.get(name="Oak Cafe").owner == owner
    progress = owner_client.get(f"/import/{job.pk}/progress/").content.decode()
    assert "100%" in progress and "3 of 3 rows" in progress
    assert "hx-trigger" not in progress  # finished: the page stops polling
    assert job.csv_text == ""  # the file is not kept once imported


def test_imported_stages_are_ledger_rows_that_never_win_nor_celebrate(
        owner_client, owner, producer, django_capture_on_commit_callbacks):
    job = upload_job(owner_client, csv_bytes(CLEAN))
    confirm(owner_client, job, django_capture_on_commit_callbacks)

    advances = StageAdvance.objects.all()
    assert advances.count() == 3
    assert {a.source for a in advances} == {StageAdvance.Source.IMPORTED}
    assert not any(a.is_win or a.wins for a in advances)
    assert StageWin.objects.count() == 0
    assert Celebration.objects.count() == 0
    # The week was marked dirty, and the scorecard job (run on commit) counted the pipeline.
    card = WeeklyScorecard.objects.get(producer=producer,
                                       week_start=Week.current(owner.agency).start)
    assert (card.pipeline_open_count, card.pipeline_open_value, card.wins) == (2, 6050, 0)
    # A later move in the app wins only the stages beyond the imported one.
    bakery = Prospect.objects.get(external_id="AMS-1")
    with django_capture_on_commit_callbacks(execute=True):
        move = prospect_advance(prospect=bakery, to_stage=stage(owner.agency, "Appointment set"),
                                actor=producer, expected_stage=bakery.stage)
    assert move.wins == 1 and move.source == StageAdvance.Source.LIVE
    assert Celebration.objects.filter(stage_advance=move).count() == 1
    assert Celebration.objects.count() == 1


BAD = [
    ["Good One", "pat@example.com", "Lead", "", "100", "", "", "", "G-1"],
    ["Stranger", "nobody@example.com", "Lead", "", "", "", "", "", ""],
    ["Wrong Stage", "pat@example.com", "Signed", "", "", "", "", "", ""],
    ["Bad Number", "pat@example.com", "Lead", "", "lots", "", "", "", ""],
    ["Bad Date", "pat@example.com", "Lead", "", "", "", "", "next week", ""],
    ["Good One", "pat@example.com", "Lead", "", "", "", "", "", "G-1"],
    ["Good Two", "pat@example.com", "Lead", "", "", "", "", "", "G-2"],
]


def test_every_bad_row_is_listed_and_nothing_is_imported_without_skip(
        owner_client, producer, django_capture_on_commit_callbacks):
    job = upload_job(owner_client, csv_bytes(BAD))

    page = owner_client.get(f"/import/{job.pk}/").content.decode()
    assert "2 ready" in page and "5 with problems" in page
    for text in ("Row 3: Unknown producer: nobody@example.com", "Row 4: Unknown stage: Signed",
                 "Row 5: Bad number: Estimated revenue", "Row 6: Bad date: Next step due",
                 "Row 7: Duplicate in the file: the same as row 2."):
        assert text.replace("\u201c", "") in page.replace("\u201c", "").replace("\u201d", "")

    job = confirm(owner_client, job, django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.FAILED
    assert Prospect.objects.count() == 0 and StageAdvance.objects.count() == 0
    page = owner_client.get(f"/import/{job.pk}/").content.decode()
    assert "Nothing was imported: 5 of 7 rows have problems" in page
    report = owner_client.get(f"/import/{job.pk}/errors.csv")
    assert report["Content-Type"].startswith("text/csv")
    lines = report.content.decode().splitlines()
    assert lines[0].startswith("Row,Problems,Name")
    assert len(lines) == 6 and "Unknown producer: nobody@example.com" in lines[1]


def test_an_import_that_wrote_nothing_can_run_again_skipping_bad_rows(
        owner_client, producer, django_capture_on_commit_callbacks):
    job = confirm(owner_client, upload_job(owner_client, csv_bytes(BAD)),
                  django_capture_on_commit_callbacks)
    progress = owner_client.get(f"/import/{job.pk}/progress/").content.decode()
    assert "Import this file again" in progress and "checked" in progress

    job = confirm(owner_client, job, django_capture_on_commit_callbacks, skip=True)

    assert job.status == ImportJob.Status.DONE and job.summary["created"] == 2
    assert "Import this file again" not in owner_client.get(f"/import/{job.pk}/").content.decode()


def test_skip_bad_rows_imports_the_rest(owner_client, producer,
                                        django_capture_on_commit_callbacks):
    job = upload_job(owner_client, csv_bytes(BAD))
    job = confirm(owner_client, job, django_capture_on_commit_callbacks, skip=True)

    assert job.status == ImportJob.Status.DONE
    assert sorted(Prospect.objects.values_list("name", flat=True)) == ["Good One", "Good Two"]
    assert job.summary["created"] == 2 and job.summary["skipped"] == 5
    assert job.summary["reasons"]["Unknown producer"] == 1
    page = owner_client.get(f"/import/{job.pk}/").content.decode()
    assert "Skipped" in page and "Unknown stage: 1 row" in page
    assert "Download the error report" in page


def test_a_failure_halfway_leaves_the_database_as_it_was(
        owner_client, producer, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.IMPORT_BATCH_SIZE = 2
    rows = [[f"Prospect {n}", "pat@example.com", "Lead", "", "", "", "", "", f"X-{n}"]
            for n in range(10)]
    job = upload_job(owner_client, csv_bytes(rows))
    reported = apply.progress_report

    def crash_at_row_6(job_id, done):
        reported(job_id, done)
        if done >= 6:
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(apply, "progress_report", crash_at_row_6)
    job = confirm(owner_client, job, django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.FAILED
    assert "Nothing was imported" in job.summary["message"]
    assert "your data is as it was" in job.summary["message"]
    assert (Prospect.all_objects.count(), StageAdvance.objects.count(),
            DirtyWeek.objects.count()) == (0, 0, 0)


def test_reimporting_the_same_file_creates_no_duplicates(owner_client, producer,
                                                         django_capture_on_commit_callbacks):
    confirm(owner_client, upload_job(owner_client, csv_bytes(CLEAN)),
            django_capture_on_commit_callbacks)
    changed = [row[:] for row in CLEAN]
    changed[0][4] = "5000"  # a new revenue figure, same external id
    changed[2][2] = "Lost"  # same name and owner, no external id: matched by them

    job = confirm(owner_client, upload_job(owner_client, csv_bytes(changed)),
                  django_capture_on_commit_callbacks)

    assert (job.summary["created"], job.summary["updated"], job.summary["unchanged"]) == (0, 2, 1)
    assert "Already up to date" in owner_client.get(f"/import/{job.pk}/").content.decode()
    assert Prospect.objects.count() == 3
    assert Prospect.objects.get(external_id="AMS-1").estimated_revenue == 5000
    cafe = Prospect.objects.get(name="Oak Cafe")
    assert cafe.stage.name == "Lost"
    assert cafe.advances.count() == 2  # the import's move is in the ledger too
    assert not cafe.advances.filter(is_win=True).exists()


def test_the_column_mapping_can_be_changed_in_the_preview(owner_client, producer):
    header = ["Client", "Assigned", "Phase"]
    job = upload_job(owner_client, csv_bytes([["Acme", "pat@example.com", "Lead"]], header))
    assert job.mapping["owner_email"] == ""  # "Assigned" is no name it knows
    page = owner_client.get(f"/import/{job.pk}/").content.decode()
    assert "Choose the column for Owner email." in page

    response = owner_client.post(f"/import/{job.pk}/", {
        "name": "Client", "owner_email": "Assigned", "stage": "Phase"})

    assert response.status_code == 200
    job.refresh_from_db()
    assert job.mapping["owner_email"] == "Assigned"
    assert "1 ready" in response.content.decode()


def test_another_agencys_producer_is_an_unknown_producer(owner_client, other_agency):
    stranger = ProducerFactory(agency=other_agency, user__email="stranger@elsewhere.com")
    job = upload_job(owner_client, csv_bytes([
        ["Their Client", stranger.user.email, "Lead", "", "", "", "", "", ""]]))

    page = owner_client.get(f"/import/{job.pk}/").content.decode()

    assert "Unknown producer: stranger@elsewhere.com" in page


def test_another_agencys_external_id_is_a_new_prospect_not_theirs(
        owner_client, producer, other_agency, django_capture_on_commit_callbacks):
    stranger = ProducerFactory(agency=other_agency)
    theirs = Prospect.objects.create(
        agency=other_agency, owner=stranger, name="Theirs", stage=stage(other_agency, "Lead"),
        stage_entered_at="2025-01-01T00:00Z", external_id="AMS-1")
    confirm(owner_client, upload_job(owner_client, csv_bytes(CLEAN)),
            django_capture_on_commit_callbacks)
    theirs.refresh_from_db()
    assert theirs.name == "Theirs" and theirs.owner == stranger
    assert Prospect.objects.filter(external_id="AMS-1").count() == 2


def test_a_leader_imports_for_their_team_only(client, leader, producer, agency,
                                              django_capture_on_commit_callbacks):
    outsider = ProducerFactory(agency=agency, team=None, user__email="out@example.com")
    login(client, leader)
    job = upload_job(client, csv_bytes([
        ["Team Client", producer.user.email, "Lead", "", "", "", "", "", ""],
        ["Outside Client", outsider.user.email, "Lead", "", "", "", "", "", ""]]))

    page = client.get(f"/import/{job.pk}/").content.decode()

    assert "Unknown producer: out@example.com" in page
    assert "1 ready" in page


def test_producers_cannot_import(producer_client, owner, client):
    assert producer_client.get("/import/").status_code == 404
    job = ImportJob.objects.create(agency=owner.agency, created_by=owner, kind="prospects",
                                   csv_text="Name\nA\n", total_rows=1)
    assert producer_client.get(f"/import/{job.pk}/").status_code == 404
    assert producer_client.post(f"/import/{job.pk}/confirm/").status_code == 404


def test_a_leader_does_not_see_the_owners_imports(leader_client, owner):
    job = ImportJob.objects.create(agency=owner.agency, created_by=owner, kind="prospects",
                                   csv_text="Name\nA\n", total_rows=1)
    assert leader_client.get(f"/import/{job.pk}/progress/").status_code == 404


def test_confirming_twice_imports_once(owner_client, producer,
                                       django_capture_on_commit_callbacks):
    job = upload_job(owner_client, csv_bytes(CLEAN))
    confirm(owner_client, job, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/import/{job.pk}/confirm/")
    apply.import_job_run(job_id=job.pk)  # a task delivered twice
    assert Prospect.objects.count() == 3


def test_the_upload_page_links_the_sample_files(owner_client):
    page = owner_client.get("/import/").content.decode()
    for name in ("prospects.csv", "activities.csv", "people.csv"):
        assert f"/static/samples/{name}" in page


def test_upload_errors_never_500(owner_client):
    response = upload(owner_client, b"")
    assert response.status_code == 400
    assert "This file is empty" in response.content.decode()
