"""Reading an uploaded CSV file into a header and rows: pure functions, no database.

Spreadsheets arrive in every shape: UTF-8 with or without a byte-order mark (Excel's "CSV
UTF-8"), Windows-1252/Latin-1 (Excel's plain "CSV" on Windows), commas or semicolons (Excel
where the decimal separator is a comma), cells with line breaks inside quotes. Each problem
with the file as a whole is a `FileProblem` with a sentence for the person who uploaded it.
"""

import csv
import io
from dataclasses import dataclass

# Semicolons come from spreadsheets in locales with a decimal comma; tabs from "text" exports.
DELIMITERS = ",;\t|"
SNIFF_CHARS = 64 * 1024


class FileProblem(ValueError):
    """The file cannot be imported at all; the message says why and what to do."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]  # every row as long as the headers, cells stripped
    encoding: str
    delimiter: str


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read in: UTF-8 (a byte-order mark is dropped), else
    Windows-1252, the encoding of Excel's plain CSV on Windows, of which Latin-1 is nearly a
    subset. A file that is neither is refused rather than read as garbage."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem("This file is saved as UTF-16. Save it from your spreadsheet as "
                          "\"CSV UTF-8\" and upload it again.")
    if b"\x00" in data[:SNIFF_CHARS]:
        raise FileProblem("This does not look like a CSV file (it holds binary data). Save "
                          "the sheet as CSV and upload that.")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    sample = text[:SNIFF_CHARS]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        # One column, or a sample the sniffer cannot decide on: the header line has the answer.
        first = sample.split("\n", 1)[0]
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def read_table(data: bytes, *, max_bytes: int, max_rows: int) -> Table:
    """The file's header and rows, or FileProblem. Blank lines are dropped; short rows are
    padded and long ones kept to the headers' width (the extra cells have no column)."""
    if len(data) > max_bytes:
        raise FileProblem(f"This file is {file_size(len(data))}; files up to "
                          f"{file_size(max_bytes)} can be imported. Split it into smaller "
                          "files and import each.")
    text, encoding = decode(data)
    return table_of_text(text, encoding=encoding, max_rows=max_rows)


def table_of_text(text: str, *, encoding: str = "utf-8", max_rows: int) -> Table:
    """The same from text already decoded (as an import job keeps it)."""
    if not text.strip():
        raise FileProblem("This file is empty. Choose the CSV file with your rows.")
    delimiter = sniff_delimiter(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise FileProblem(f"This file could not be read as CSV ({error}). Save it from your "
                          "spreadsheet as CSV and upload it again.") from None
    headers = [cell.strip() for cell in rows[0]]
    if not any(headers):
        raise FileProblem("The first line must name the columns; it is blank.")
    body = rows[1:]
    if not body:
        raise FileProblem("This file has only the header line and no rows to import.")
    if len(body) > max_rows:
        raise FileProblem(f"This file has {len(body):,} rows; up to {max_rows:,} can be "
                          "imported at once. Split it and import each part.")
    width = len(headers)
    return Table(headers=headers, encoding=encoding, delimiter=delimiter,
                 rows=[[c.strip() for c in (row + [""] * width)[:width]] for row in body])


def file_size(n: int) -> str:
    """A size as a person reads it: "10 MB", "10.4 MB", "12 KB"."""
    if n >= 100 * 1024:
        return f"{n / 2**20:.1f}".removesuffix(".0") + " MB"
    return f"{n / 1024:.0f} KB"
