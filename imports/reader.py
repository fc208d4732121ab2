"""Reading an uploaded file into a table of text and plain values, within limits.

CSV: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text") or Windows-1252
(cp1252, Danish Excel's "CSV (semikolonsepareret)"); the separator (`,` `;` or tab) is
sniffed from the first lines. XLSX: read with openpyxl in read-only mode after the archive
is checked (total uncompressed size and compression ratio) so a zip bomb is refused before it
is unpacked; formulas are read as their text (`=SUM(A1:A3)`), never evaluated. Both stop as
soon as the file has more rows than the caller allows."""

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import load_workbook

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed of one member; real sheets stay far below
MAX_COLUMNS = 500
MAX_CELL_CHARS = 20000
XLSX_MAGIC = b"PK\x03\x04"
# UTF-8 read as cp1252: "Ã¸" for ø, "Ã¦" for æ, "Ã¥" for å (and their capitals); a file with
# these after a failed UTF-8 decode has both encodings in it.
_MOJIBAKE = ("Ã¦", "Ã¸", "Ã¥", "Ã†", "Ã˜", "Ã…", "Ã©")


class FileRefused(Exception):
    """The file as a whole cannot be read: a code and a message for the coordinator."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


@dataclass
class Table:
    headers: list[str]
    rows: list[list] = field(default_factory=list)  # cells: str, int, float, bool, date, None
    kind: str = "csv"  # csv | xlsx
    encoding: str = ""
    delimiter: str = ""
    first_line: int = 2  # the file's line number of rows[0] (line 1 is the header)

    @property
    def number_language(self) -> str:
        """How numbers written as text are read: a comma-separated CSV uses the decimal point
        (the export's "csv"); a `;` or tab CSV and an XLSX's text cells the Danish comma."""
        return "en" if self.kind == "csv" and self.delimiter == "," else "da"


def read_table(content: bytes, file_name: str, *, max_rows: int) -> Table:
    """The header row and data rows of a CSV or XLSX file (detected by its bytes, not its
    name). Raises FileRefused with a clear message; reads at most `max_rows` data rows."""
    if not content or not content.strip():
        raise FileRefused("empty", _("Filen er tom."))
    if len(content) > MAX_FILE_BYTES:
        raise FileRefused(
            "too_large",
            _("Filen er for stor (%(size)s MB). Den må højst fylde 50 MB.")
            % {"size": round(len(content) / 1024 / 1024, 1)},
        )
    if content.startswith(XLSX_MAGIC):
        table = _read_xlsx(content, max_rows)
    elif file_name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise FileRefused(
            "not_xlsx", _("Filen hedder .xlsx, men er ikke et Excel-regneark (XLSX).")
        )
    else:
        table = _read_csv(content, max_rows)
    headers = [_header(h) for h in table.headers]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise FileRefused("no_header", _("Filen har ingen kolonneoverskrifter i første række."))
    table.headers = headers
    table.rows = [r for r in table.rows if any(c not in (None, "") for c in r)]
    if not table.rows:
        raise FileRefused("no_rows", _("Filen har kolonneoverskrifter, men ingen rækker."))
    return table


def _header(value):
    text = "" if value is None else str(value)
    return text.replace("\ufeff", "").strip()


def _decode(content: bytes) -> tuple[str, str]:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            raise FileRefused("mixed_encoding", _MIXED()) from None
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = content.decode("cp1252", errors="replace")
    if any(m in text for m in _MOJIBAKE):
        raise FileRefused("mixed_encoding", _MIXED())
    if "\ufffd" in text or "\x00" in text:
        raise FileRefused(
            "encoding",
            _(
                "Filens tegnsæt kan ikke læses. Gem den som »CSV UTF-8« eller »CSV "
                "(semikolonsepareret)« og prøv igen."
            ),
        )
    return text, "cp1252"


def _NOT_XLSX():  # noqa: N802 - a message, built when the language is known
    return _("Filen er ikke et gyldigt Excel-regneark (XLSX).")


def _MIXED():  # noqa: N802 - a message, built when the language is known
    return _(
        "Filen blander to tegnsæt (UTF-8 og Windows-1252), så æ, ø og å ville blive forkerte. "
        "Gem den igen som »CSV UTF-8« og prøv igen."
    )


def _sniff(text: str) -> str:
    """The separator: the one the header line uses most (headers are names, which hold no
    separators), else what csv.Sniffer finds in the first lines, else a comma."""
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (";", "\t", ",")}
    if any(counts.values()):
        return max(counts, key=counts.get)
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _read_csv(content: bytes, max_rows: int) -> Table:
    text, encoding = _decode(content)
    if "\x00" in text:
        raise FileRefused("binary", _("Filen er hverken CSV eller XLSX."))
    delimiter = _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader, [])
        rows = []
        for row in reader:
            if len(rows) >= max_rows:
                raise FileRefused("too_many_rows", _too_many(max_rows))
            rows.append([c[:MAX_CELL_CHARS] for c in row[:MAX_COLUMNS]])
    except csv.Error as exc:
        raise FileRefused(
            "malformed", _("CSV-filen kan ikke læses: %(reason)s") % {"reason": exc}
        ) from None
    if len(headers) > MAX_COLUMNS:
        raise FileRefused("too_many_columns", _("Filen har for mange kolonner."))
    return Table(headers, rows, "csv", encoding, delimiter)


def _too_many(max_rows):
    return _(
        "Filen har flere end %(max)s rækker — langt flere, end runden har modtagere. Er det "
        "den rigtige fil?"
    ) % {"max": max_rows}


def _check_zip(content: bytes):
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise FileRefused("not_xlsx", _NOT_XLSX()) from None
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNCOMPRESSED_BYTES or (info.file_size > 10_000_000 and ratio > MAX_RATIO):
            raise FileRefused(
                "zip_bomb",
                _(
                    "Regnearket fylder for meget, når det pakkes ud (over 200 MB). Det læses "
                    "ikke. Gem kun de rækker og kolonner, der skal indlæses."
                ),
            )
    if "xl/workbook.xml" not in archive.namelist():
        raise FileRefused("not_xlsx", _NOT_XLSX())


def _cell(value):
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    if isinstance(value, str):
        return value[:MAX_CELL_CHARS]
    return value


def _read_xlsx(content: bytes, max_rows: int) -> Table:
    _check_zip(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a broken workbook
        raise FileRefused("not_xlsx", _NOT_XLSX()) from None
    try:
        sheet = workbook["wide"] if "wide" in workbook.sheetnames else workbook.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        headers = list(next(rows_iter, None) or [])
        rows = []
        for row in rows_iter:
            if len(rows) >= max_rows:
                if any(c not in (None, "") for c in row):
                    raise FileRefused("too_many_rows", _too_many(max_rows))
                continue
            rows.append([_cell(c) for c in row])
    except FileRefused:
        raise
    except Exception:  # a broken sheet (or an XML entity, refused by defusedxml) while reading
        raise FileRefused("not_xlsx", _NOT_XLSX()) from None
    finally:
        workbook.close()
    return Table(headers, rows, "xlsx", "", "")
