"""The pure parts of the importer: reading a file, matching its columns, judging its rows."""

import datetime as dt
from decimal import Decimal

import pytest

from pipeline.imports.checks import (
    BAD_DATE,
    BAD_NUMBER,
    DUPLICATE,
    UNKNOWN_PRODUCER,
    UNKNOWN_STAGE,
    Lookups,
    check_rows,
    parse_date,
    parse_decimal,
)
from pipeline.imports.columns import guess_mapping, mapping_clean, missing_fields
from pipeline.imports.reading import FileProblem, read_table

LIMITS = {"max_bytes": 10_240, "max_rows": 5}


def test_utf8_with_a_byte_order_mark_reads_its_first_header_cleanly():
    table = read_table("\ufeffName,Owner email\nCafé Zoë,a@x.co\n".encode(), **LIMITS)
    assert table.headers == ["Name", "Owner email"]
    assert table.rows == [["Café Zoë", "a@x.co"]]


def test_latin1_falls_back_to_windows_1252():
    table = read_table("Name,Owner email\nCafé Zoë,a@x.co\n".encode("latin-1"), **LIMITS)
    assert table.rows[0][0] == "Café Zoë"
    assert table.encoding == "windows-1252"


def test_semicolons_are_sniffed():
    table = read_table(b"Name;Owner email;Estimated revenue\nAcme;a@x.co;1234,50\n", **LIMITS)
    assert table.delimiter == ";"
    assert table.rows == [["Acme", "a@x.co", "1234,50"]]


def test_excel_quoted_newlines_stay_in_their_cell():
    table = read_table(b'Name,Next step\r\nAcme,"Call\r\nthen email"\r\nBeta,Visit\r\n', **LIMITS)
    assert table.rows == [["Acme", "Call\r\nthen email"], ["Beta", "Visit"]]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "This file is empty"),
    (b"  \r\n\r\n", "This file is empty"),
    (b"Name,Owner email\r\n", "only the header line"),
    (b"x" * 10_241, "files up to 10 KB can be imported"),
    (b"Name\n" + b"a\n" * 6, "up to 5 can be imported"),
    ("Name\nA\n".encode("utf-16"), "UTF-16"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
])
def test_a_file_that_cannot_be_imported_says_why(data, message):
    with pytest.raises(FileProblem, match=message):
        read_table(data, **LIMITS)


def test_headers_are_matched_by_name_and_usual_names():
    mapping = guess_mapping("prospects", ["Client", "Producer Email", "Status", "Premium", "ID"])
    assert mapping["name"] == "Client"
    assert mapping["owner_email"] == "Producer Email"
    assert mapping["stage"] == "Status"
    assert mapping["premium"] == "Premium"  # the premium quoted, not the commission
    assert mapping["estimated_revenue"] == ""
    assert mapping["external_id"] == "ID"
    assert mapping["source"] == ""


def test_a_posted_mapping_keeps_to_the_files_headers():
    headers = ["Name", "Email"]
    mapping = mapping_clean("prospects", headers, {"name": "Name", "owner_email": "Forged"})
    assert mapping["owner_email"] == ""
    assert missing_fields("prospects", mapping) == ["Owner email"]


@pytest.mark.parametrize(("text", "day"), [
    ("2025-03-31", dt.date(2025, 3, 31)), ("3/31/2025", dt.date(2025, 3, 31)),
    ("03/31/25", dt.date(2025, 3, 31)), ("2025-03-31 14:05:00", dt.date(2025, 3, 31)),
    ("Mar 31, 2025", dt.date(2025, 3, 31)), ("31/31/2025", None), ("soon", None),
])
def test_dates(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize(("text", "value"), [
    ("$4,800", Decimal("4800")), ("1234,50", Decimal("1234.50")), ("12 500", Decimal("12500")),
    ("ten", None), ("NaN", None),
])
def test_numbers(text, value):
    assert parse_decimal(text) == value


def test_every_kind_of_bad_row_is_named():
    lookups = Lookups(producers={"pat@x.co": 1}, stages={"lead": 10}, default_stage=10,
                      lines={"personal": "personal"})
    headers = ["Name", "Owner email", "Stage", "Estimated revenue", "Next step due"]
    rows = [["Acme", "pat@x.co", "Lead", "100", "2030-01-01"],
            ["Beta", "nobody@x.co", "Lead", "", ""],
            ["Gamma", "pat@x.co", "Signed", "", ""],
            ["Delta", "pat@x.co", "Lead", "lots", ""],
            ["Eps", "pat@x.co", "Lead", "", "someday"],
            ["Acme", "pat@x.co", "Lead", "", ""]]
    judged = list(check_rows("prospects", headers, guess_mapping("prospects", headers), rows,
                             lookups))
    assert [r.number for r in judged] == [2, 3, 4, 5, 6, 7]
    assert judged[0].ok
    assert [[reason for reason, _ in r.problems] for r in judged[1:]] == [
        [UNKNOWN_PRODUCER], [UNKNOWN_STAGE], [BAD_NUMBER], [BAD_DATE], [DUPLICATE]]
    assert "the same as row 2" in judged[5].problems[0][1]
