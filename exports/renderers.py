"""One renderer per format. Each takes columns (exports.datasets.Column) and rows (iterables of
plain values) from the row generators and writes bytes; none knows about the database.

Formula injection: every text cell passes once through `lib.formula.safe_text` (defusedcsv's
rule plus tab and CR) and is then written by the standard csv module; XLSX cells through the
same rule. On PostgreSQL the CSV
exports are written by COPY with the same rule in SQL (exports.pgcopy), and the XLSX sheets'
rows come from the same SELECTs with typed cells (`xlsx_ready`: written as they are).
"""

import csv
import datetime as dt
import functools
import io
import itertools
import json
import tempfile
import zipfile
from decimal import Decimal

from rustpy_xlsxwriter import Format, write_worksheets

from exports.datasets import SHARE_UNIT, Column
from lib.formula import safe_text, spreadsheet_text

CSV_CHUNK = 64 * 1024
BOM = "\ufeff"


class RefuseAllFetcher:
    """The ground of the report's URL fetcher (ChartFetcher): nothing is fetched (no file:, no
    http:, not even our own static files — the templates inline what they need), so text
    typed by a user can never make the server read a file or call another host. A refused
    resource is left out with a warning; the PDF is still made."""

    _fail_on_errors = False  # read by weasyprint.urls.fetch

    def __call__(self, url, *args, **kwargs):
        return self.fetch(url)

    def fetch(self, url, headers=None):
        raise ValueError(f"external resource refused in PDF: {url[:80]}")


class ChartFetcher(RefuseAllFetcher):
    """The fetcher of one report: serves the SVG drawings the report drew itself (exports.report
    passes them as `<img src="chart:N">`), each by its name, and refuses everything else like
    RefuseAllFetcher. WeasyPrint reads such an image with its C XML parser instead of its
    Python HTML parser, and draws it the same as the inline <svg> it replaces."""

    def __init__(self, charts):
        self.charts = charts  # {"chart:N": svg text}

    def fetch(self, url, headers=None):
        svg = self.charts.get(url)
        if svg is None:
            return super().fetch(url, headers)
        from weasyprint.urls import URLFetcherResponse  # WeasyPrint is slow to import

        return URLFetcherResponse(url, svg.encode(), headers={"Content-Type": "image/svg+xml"})


def _number_text(value, decimal):
    if isinstance(value, float):
        # Positional, shortest round-trip digits: never 1e-05, which spreadsheets misread.
        out = format(Decimal(repr(value)), "f")
    else:
        out = str(value)
    return out.replace(".", ",") if decimal == "," else out


def cell_text(value, decimal="."):
    """A value as CSV text: empty for None, true/false, ISO 8601 (UTC with Z), ';'-joined lists."""
    kind = type(value)
    if kind is str:
        return value
    if value is None:
        return ""
    if kind is int:
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number_text(value, decimal)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(cell_text(v, decimal) for v in value)
    return str(value)


def csv_cell(value, decimal="."):
    """`safe_text(cell_text(value))`, quicker for the common cells: text, None and integers
    (`-?[0-9]+`, which the formula rule leaves alone)."""
    kind = type(value)
    if kind is str:
        return safe_text(value)
    if value is None:
        return ""
    if kind is int:
        return str(value)
    return safe_text(cell_text(value, decimal))


class Counter:
    """Counts rows as they pass (the export log records how many were written)."""

    def __init__(self, rows):
        self.rows = rows
        self.count = 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def csv_stream(columns, rows, variant="csv"):
    """Yield the CSV as UTF-8 byte chunks. `variant` "csv": comma, decimal point, no BOM;
    "csv-da" (Danish Excel): semicolon, decimal comma, UTF-8 with BOM."""
    danish = variant == "csv-da"
    decimal = "," if danish else "."
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if danish else ",", lineterminator="\r\n")
    if danish:
        buffer.write(BOM)
    writer.writerow([safe_text(c.name) for c in columns])
    rows = iter(rows)
    while batch := list(itertools.islice(rows, 500)):
        writer.writerows([[csv_cell(v, decimal) for v in row] for row in batch])
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _xlsx_value(value):
    kind = type(value)
    if kind is str:
        return spreadsheet_text(value)
    if value is None or kind is int or kind is float or kind is bool:
        return value
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, list | tuple):
        value = ";".join(cell_text(v) for v in value)
    return spreadsheet_text(value)


def codebook_columns(spec=None):
    """The codebook's columns; `section` and `shown_when` only for a definition that has
    sections or show-when (the codebook of any other survey is as it always was)."""

    def c(name, da, en):
        return Column(name, {"da": da, "en": en}, "string")

    cols = [
        c("column", "Kolonne", "Column"),
        c("label_da", "Etiket (dansk)", "Label (Danish)"),
        c("label_en", "Etiket (engelsk)", "Label (English)"),
        c("type", "Type", "Type"),
        c("unit", "Enhed", "Unit"),
        c("allowed_values", "Tilladte værdier", "Allowed values"),
    ]
    if spec is not None and spec.sections:
        cols.append(c("section", "Afsnit", "Section"))
    if spec is not None and spec.has_relevance:
        cols.append(c("shown_when", "Vises kun når", "Shown only when"))
    return cols


def codebook_rows(columns, spec=None):
    """The codebook: one row per column; choice codes with their Danish labels. Date-times
    are in UTC (the XLSX cells carry no time zone; the CSV's end in Z), and the type says so.
    With sections, each question's section title (Danish); with show-when, the expression a
    question is asked under (its cells are blank where it does not hold)."""
    sections = spec is not None and bool(spec.sections)
    relevance = spec is not None and spec.has_relevance
    for col in columns:
        allowed = ""
        if col.choices:
            question = spec.question(col.name) if spec is not None else None
            labels = [
                f"{v} = {question.choice_label(v, 'da')}" if question else v for v in col.choices
            ]
            allowed = ("; ".join(labels)) + (" (flere adskilt med ;)" if col.multiple else "")
        row = [
            col.name,
            col.label_da,
            col.label_en,
            col.type
            + (f" ({col.format})" if col.format else "")
            + (" (UTC)" if col.type == "datetime" else ""),
            col.unit.get("da", "") if col.unit else "",
            allowed,
        ]
        if sections:
            row.append(col.section.get("da", "") if col.section else "")
        if relevance:
            row.append(col.shown_when)
        yield row


# Column widths (characters) by Table Schema type; a header longer than that widens it.
XLSX_WIDTHS = {"string": 18, "integer": 11, "number": 11, "boolean": 8, "date": 11}
XLSX_MAX_WIDTH = 40
XLSX_DATETIME = "yyyy-mm-dd hh:mm:ss"
XLSX_SHARE = "0.0%"


def _xlsx_width(col):
    if col.type == "datetime":
        return 20
    return min(XLSX_MAX_WIDTH, max(len(col.name) + 3, XLSX_WIDTHS.get(col.type, 12)))


class _Records:
    """A sheet's rows as {column: cell} records, the shape the writer takes, made when the
    writer starts the sheet (it writes the sheets one after the other). A sheet without rows
    gets one empty record, so its header is still written. Rows marked `xlsx_ready`
    (exports.pgcopy's, whose cells PostgreSQL made by the same rules) are taken as they are,
    with no Python step per row."""

    def __init__(self, names, rows):
        self.names = names
        self.rows = rows

    def __iter__(self):
        names = self.names
        if getattr(self.rows, "xlsx_ready", False):
            records = map(dict, map(functools.partial(zip, names), self.rows))
        else:
            records = (
                dict(zip(names, [_xlsx_value(v) for v in row], strict=True)) for row in self.rows
            )
        first = next(records, None)
        return itertools.chain([dict.fromkeys(names) if first is None else first], records)


def xlsx_bytes(sheets):
    """An XLSX workbook; `sheets` is [(title, columns, rows)].

    Written by rust_xlsxwriter (through rustpy-xlsxwriter) in constant-memory mode: the rows
    are pulled from the generators as the sheet is written, and cells are never read back as
    formulas (`safe_text` has neutralised them anyway). Each sheet has its header row frozen
    and filter buttons on, column widths by type, shares (0–1) shown as percentages and
    date-times as `yyyy-mm-dd hh:mm:ss` in UTC (the codebook says so)."""
    entries, widths, formats = [], {}, {}
    share = Format().set_num_format(XLSX_SHARE)
    for title, columns, rows in sheets:
        title = title[:31]
        names = [c.name for c in columns]
        entries.append((title, _Records(names, rows)))
        widths[title] = {c.name: _xlsx_width(c) for c in columns}
        shares = {c.name: share for c in columns if c.unit == SHARE_UNIT}
        if shares:
            formats[title] = shares
    out = io.BytesIO()
    write_worksheets(
        entries,
        out,
        freeze_panes={"general": {"row": 1, "col": 0}},
        autofilter={"general": True},
        column_widths=widths,
        column_formats=formats,
        datetime_format=XLSX_DATETIME,
    )
    return out.getvalue()


def table_schema(columns, primary_key=None):
    """A Frictionless Table Schema for the columns: every column typed, with title, description,
    unit and, for choices, an enum (single) or pattern (';'-joined multiple) constraint."""
    # Loaded on first use, not at start-up: frictionless is slow to import.
    from frictionless import Schema

    fields = []
    for col in columns:
        field = {"name": col.name, "type": col.type, "title": col.label_da}
        description = col.label_en
        if col.description:
            description += " — " + (col.description.get("da") or "")
        if col.section:
            description += " — Afsnit: " + (col.section.get("da") or "")
        if col.shown_when:
            description += f" — Vises kun når: {col.shown_when} (ellers tom)"
        field["description"] = description
        if col.format:
            field["format"] = col.format
        if col.unit:
            field["unit"] = col.unit.get("da", "")
        if col.choices and col.multiple:
            one = "|".join(col.choices)
            field["constraints"] = {"pattern": f"({one})(;({one}))*"}
        elif col.choices:
            field["constraints"] = {"enum": list(col.choices)}
        fields.append(field)
    descriptor = {"fields": fields, "missingValues": [""]}
    if primary_key:
        descriptor["primaryKey"] = primary_key
    return Schema.from_descriptor(descriptor)


def datapackage_zip(name, title, description, tables):
    """A ZIP with datapackage.json and one CSV per table; `tables` is
    [(resource_name, title, columns, rows, primary_key)]. CSVs are written into the archive as
    they stream (comma, decimal point, UTF-8)."""
    # Loaded on first use, not at start-up: frictionless is slow to import.
    from frictionless import Package, Resource

    resources = []
    with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as f:
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for res_name, res_title, columns, rows, primary_key in tables:
                path = f"{res_name}.csv"
                with zf.open(path, "w") as out:
                    for chunk in csv_stream(columns, rows):
                        out.write(chunk)
                resources.append(
                    Resource(
                        name=res_name,
                        title=res_title,
                        path=path,
                        scheme="file",
                        format="csv",
                        mediatype="text/csv",
                        encoding="utf-8",
                        schema=table_schema(columns, primary_key),
                    )
                )
            package = Package(name=name, title=title, description=description, resources=resources)
            descriptor = package.to_descriptor()
            zf.writestr(
                "datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
            )
        f.seek(0)
        return f.read()


def iter_bytes(content):
    yield from (content,) if isinstance(content, bytes) else content


def as_bytes(content):
    return content if isinstance(content, bytes) else b"".join(content)
