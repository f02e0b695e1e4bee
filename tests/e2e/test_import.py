"""The owner brings in last year's spreadsheet: uploads tests/data/prospects.csv, reads the
preview, confirms, and watches the progress bar reach 100%; on a laptop and on a phone."""

from pathlib import Path

import pytest

from pipeline.models import ImportJob, Prospect, StageAdvance, StageWin
from tests.e2e.conftest import PHONE, log_in, screenshot

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "prospects.csv"
LAPTOP = {"width": 1366, "height": 900}


@pytest.mark.parametrize(("device", "viewport"), [("laptop", LAPTOP), ("phone", PHONE)])
def test_the_owner_imports_the_sample_prospects(demo, new_page, device, viewport):
    page = new_page(viewport)
    log_in(page, "owner")
    page.goto("/import/")
    assert page.locator("a[href$='samples/prospects.csv']").count() == 1
    page.select_option("#id_kind", "prospects")
    page.set_input_files("#id_file", str(SAMPLE))
    screenshot(page, f"import-upload-{device}")
    page.click("text=Upload and preview")
    page.wait_for_load_state("networkidle")

    assert "8 ready" in page.locator("main").inner_text()
    assert "Greenway Landscaping, LLC" in page.locator("table").inner_text()
    screenshot(page, f"import-preview-{device}")
    page.click("#confirm button[type=submit]")
    page.wait_for_selector("#import-progress:not([hx-trigger])")  # finished: polling stopped

    assert "100%" in page.locator("#import-progress").inner_text()
    assert page.locator("[role=progressbar]").get_attribute("aria-valuenow") == "100"
    assert "Imported" in page.locator("#import-progress h2").inner_text()
    screenshot(page, f"import-done-{device}")
    job = ImportJob.objects.get()
    assert (job.status, job.summary["created"]) == (ImportJob.Status.DONE, 8)
    assert Prospect.objects.filter(external_id__startswith="AMS-").count() == 8
    imported = StageAdvance.objects.filter(source=StageAdvance.Source.IMPORTED)
    assert imported.count() == 8
    assert not StageWin.objects.filter(advance__in=imported).exists()
    # No page of the import scrolls sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_producer_exports_their_prospects_on_a_phone(demo, new_page):
    page = new_page(PHONE)
    log_in(page, "producer")
    page.goto("/export/")
    assert "Your own rows" in page.locator("main").inner_text()
    screenshot(page, "export-phone")
    with page.expect_download() as download:
        page.click("text=Download prospects.csv")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    header, *rows = text.splitlines()
    assert header.startswith("Name,Owner email,Stage")
    assert rows and all(",producer@summit.example," in row for row in rows)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
