"""CSV exports written by PostgreSQL itself: `COPY (SELECT …) TO STDOUT WITH (FORMAT csv)`
streamed through psycopg, one row per CopyData message (issue 7: an export within 2× of COPY);
and the rows of the XLSX export's wide, long and non-responders sheets, from the same SELECTs
with typed cells (issue 16; see `Cells` and `SheetRows`).

The SELECT computes every cell exactly as the Python path does (exports.datasets row
generators + exports.renderers.csv_stream), so both give the same bytes for the data the app
stores (answers are scalars or lists of scalars, entries a list of objects, explanations
text): the same rows in the same order (recipients × rounds stacked by deadline, entries by
position, long rows in column order), the same columns (`datasets.wide_columns` /
`long_columns`, so analysts never get `email` questions), values only for submitted/accepted,
and per cell:

- JSON text as is, numbers as stored (PostgreSQL prints jsonb numbers positionally, as
  Python's float formatting does; the Danish variant swaps `.` for `,`), booleans
  `true`/`false`, lists joined with `;` (null elements empty), objects and `""` empty;
- an indicator that is not a derived value is computed as a float8 quotient and printed with
  the shortest round-trip digits, positionally, with `.0` for whole numbers below 10^16
  (what `format(Decimal(repr(x)), "f")` gives);
- `submitted_at` as `YYYY-MM-DDTHH:MM:SSZ` in UTC, `late` as `true`/`false`;
- the formula rule of `lib.formula.safe_text` on every cell: a leading tab or CR gets a `'`;
  a leading `= + - @ | %` gets a `'` and `|` becomes `\\|`, unless the cell is a number
  (`^-?[0-9,.]+$`, as defusedcsv);
- empty cells are NULL, so COPY writes them unquoted, as Python's csv module does.

PostgreSQL ends rows with `\\n`; each CopyData message is exactly one row, so its final byte is
the row's end and becomes `\\r\\n` (a newline inside a quoted cell stays as it is, as in
Python). The rows are taken in blocks of about 64 KB and the row ends rewritten per block
(`crlf`). The header line (and the Danish BOM) is written by Python.

For XLSX (`Cells` XLSX) the same rows hold the cells renderers._xlsx_value makes of the Python
path's values: numbers and booleans typed, date-times as naive UTC datetimes, every other cell
the text above (decimal point) cleaned of the characters a spreadsheet cannot hold and then
neutralised (`lib.formula.spreadsheet_text`). tests/exports/test_xlsx_paths.py checks that
both paths give the same workbook.

Known differences, for data the app never writes: lists holding lists or objects (refused
by the API's shape check) are printed as JSON here and as Python reprs by the Python path; a
number with more digits than a float holds is printed as stored here and rounded by the Python
path (in XLSX both give the same number); an `entries` that is not a list is no entries here
and iterated by the Python path; in XLSX an explanation that is not text is its JSON text here
and a typed value by the Python path. tests/exports/test_csv_paths.py checks both CSV paths
against the same expected bytes.
"""

import csv
import datetime as dt
import io
import itertools
import json
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection

from exports import datasets, renderers
from lib.formula import ILLEGAL_CHARACTERS_RE, safe_text, spreadsheet_text
from reference.models import Municipality
from submissions.models import Submission
from surveys.models import Round

CHUNK = renderers.CSV_CHUNK
SHEET_CHUNK = 2000  # rows an XLSX sheet reads and decodes at a time
FIRST_BATCH = 256  # rows in the first block; then sized to about CHUNK bytes
RESPONDED = "s.state IN ('submitted', 'accepted')"
# ascii() is the first character's code point: tab, CR, %, +, -, =, @, |. The -1 (never a
# code point) makes the list nine long, the length from which PostgreSQL tests an IN list by
# a hash lookup instead of one comparison per element (600,000 cells in a 40-round export).
FORMULA_STARTS = "9, 13, 37, 43, 45, 61, 64, 124, -1"
# The comparison of the Python path is by defusedcsv's pattern with re.match, whose `$` also
# matches before a final newline.
NUMERIC = r"E'^-?[0-9,.]+\\n?$'"
# The characters a spreadsheet cannot hold (lib.formula.spreadsheet_text removes them), as a
# bracket expression of the characters themselves; NUL cannot be in a PostgreSQL text.
ILLEGAL = (
    "E'["
    + "".join(f"\\x{c:02x}" for c in range(1, 32) if ILLEGAL_CHARACTERS_RE.match(chr(c)))
    + "]'"
)


def supported():
    """PostgreSQL through psycopg 3 (whose cursors have copy())."""
    if connection.vendor != "postgresql":
        return False
    # Imported only on PostgreSQL: the module needs a PostgreSQL driver.
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def applies(register) -> bool:
    """Whether an export of rounds of `register` is written by PostgreSQL (this module): on
    PostgreSQL with psycopg 3, for the municipalities (the SELECTs write the municipal
    columns only); otherwise the Python path."""
    return supported() and datasets.is_municipal(register)


def _lit(text):
    """A string literal (standard_conforming_strings is on in every supported PostgreSQL)."""
    if "\x00" in text:
        raise ValueError("NUL in a SQL literal")
    return "'" + text.replace("'", "''") + "'"


def _safe(col):
    """The formula rule on a text column reference (one evaluation of `col` per test)."""
    return (
        f"CASE WHEN ascii({col}) IN ({FORMULA_STARTS}) THEN "
        f"CASE WHEN ascii({col}) IN (9, 13) THEN '''' || {col} "
        f"WHEN {col} ~ {NUMERIC} THEN {col} "
        f"ELSE '''' || replace({col}, '|', E'\\\\|') END "
        f"ELSE {col} END"
    )


def _clean(expr):
    """Text without the characters a spreadsheet cannot hold (before the formula rule, as
    `spreadsheet_text`)."""
    # regexp_replace, not translate(): translate() cost a second more on the bench's wide
    # sheet (600,000 cells), regexp_replace 0.15 s.
    return f"regexp_replace({expr}, {ILLEGAL}, '', 'g')"


@dataclass(frozen=True)
class Cells:
    """What the SELECT's cells are for.

    CSV (`typed` false): every cell is text, numbers printed with `decimal`, and the formula
    rule of `safe_text` is applied to every cell; COPY writes the rows as CSV.

    XLSX (`typed` true): each row is one JSON array of the cells renderers.xlsx_bytes writes,
    as renderers._xlsx_value makes them from the Python path's values: numbers and booleans
    stay JSON numbers and booleans (a stored number as stored, an indicator as the float8
    quotient with the shortest round-trip digits), a date-time is ISO text in UTC without a
    zone (made a naive datetime when read), and every other cell is the CSV path's text (a
    list joined with `;`, decimal point) with the characters a spreadsheet cannot hold removed
    and then the formula rule applied (`spreadsheet_text`)."""

    typed: bool = False
    decimal: str = "."

    @property
    def text_rule(self):
        """The rule for text made in Python (round slugs, question keys)."""
        return spreadsheet_text if self.typed else safe_text


CSV, CSV_DA, XLSX = Cells(), Cells(decimal=","), Cells(typed=True)


class Cell(NamedTuple):
    """One column: `text` is its cell as text (before the formula rule); `typed` is, for XLSX,
    a `json` value that replaces the text where it is not NULL (numbers, booleans, date-times),
    or None for a column that is always text."""

    name: str
    text: str
    typed: str | None = None


def _final(cells, text, typed=None):
    """The cell a row holds, from the column references of its text and typed forms."""
    if not cells.typed:
        return _safe(text)
    if typed is None:
        return f"to_json({_safe(text)})"
    return f"COALESCE({typed}, to_json({_safe(text)}))"


def _row(cells, finals):
    """The SELECT list of a row: the cells (CSV), or one JSON array of them (XLSX; an array
    constructor, since json_build_array takes at most 100 arguments)."""
    if not cells.typed:
        return ", ".join(finals)
    return f"array_to_json(ARRAY[{', '.join(finals)}]::json[])::text"


def _number(expr, decimal):
    return f"replace({expr}, '.', ',')" if decimal == "," else expr


ELEMENT = "e.v #>> '{}'"


def _value(doc, key, decimal, keep_empty_lists=False):
    """A stored value (`doc->key`) as cell text: NULL for a missing, null, `""` or object
    value and for `[]` (datasets._clean + renderers.cell_text). A list whose elements are all
    empty gives `''` with `keep_empty_lists` (the long table keeps that row), NULL otherwise."""
    j = f"{doc}->{_lit(key)}"
    text = f"{doc}->>{_lit(key)}"
    element = (
        "CASE jsonb_typeof(e.v) WHEN 'null' THEN '' "
        f"WHEN 'number' THEN {_number(ELEMENT, decimal)} ELSE {ELEMENT} END"
    )
    cell = (
        f"CASE jsonb_typeof({j}) "
        f"WHEN 'string' THEN NULLIF({text}, '') "
        f"WHEN 'array' THEN (SELECT string_agg({element}, ';' ORDER BY e.n) "
        f"FROM jsonb_array_elements({j}) WITH ORDINALITY AS e(v, n)) "
        "WHEN 'object' THEN NULL "
        f"WHEN 'number' THEN {_number(text, decimal)} "
        f"ELSE {text} END"
    )
    typed = cell if keep_empty_lists else f"NULLIF({cell}, '')"
    if decimal != ".":
        return typed
    # With `.` numbers, a value whose text does not start with `[` or `{` (most of them) is
    # its `->>` text: a string, a number as stored, true/false, NULL for null. Only arrays,
    # objects and strings starting with a bracket need the type dispatch.
    return f"CASE WHEN ascii({text}) IN (91, 123) THEN {typed} ELSE NULLIF({text}, '') END"


def _typed_value(doc, key):
    """A stored number or boolean as itself (XLSX); NULL for anything else."""
    j = f"{doc}->{_lit(key)}"
    return f"CASE WHEN jsonb_typeof({j}) IN ('number', 'boolean') THEN ({j})::json END"


def _quotient(doc, ind):
    """(condition, float8 quotient) of an indicator, as Python divides two JSON numbers (None
    unless both are numbers and the denominator is positive)."""
    num, den = f"{doc}->{_lit(ind.numerator)}", f"{doc}->{_lit(ind.denominator)}"
    condition = (
        f"jsonb_typeof({num}) = 'number' AND jsonb_typeof({den}) = 'number' "
        f"AND ({den} #>> '{{}}')::numeric > 0"
    )
    return condition, f"(({num} #>> '{{}}')::float8 / ({den} #>> '{{}}')::float8)"


def _indicator(doc, ind, decimal):
    """The quotient printed as renderers._number_text prints a float."""
    condition, quotient = _quotient(doc, ind)
    # float8 → text is the shortest round-trip form (extra_float_digits = 1, set before COPY);
    # → numeric makes it positional.
    text = (
        f"(SELECT CASE WHEN q.x = trunc(q.x) AND abs(q.x) < 1e16 THEN trunc(q.x)::text || '.0' "
        f"ELSE q.x::text END FROM (SELECT {quotient}::text::numeric AS x) q)"
    )
    return f"CASE WHEN {condition} THEN {_number(text, decimal)} END"


def _typed_indicator(doc, ind):
    """The quotient as a JSON number (the shortest round-trip digits, extra_float_digits = 1)."""
    condition, quotient = _quotient(doc, ind)
    return f"CASE WHEN {condition} THEN to_json({quotient}) END"


def _explanation(key, entry):
    """`explanations[key]` (entries: `key@n`, else `key`), empty as NULL."""
    own = f"NULLIF(b.x->>{_lit(key)}, '')"
    if not entry:
        return own
    return f"COALESCE(NULLIF(b.x->>({_lit(key + '@')} || b.entry_no), ''), {own})"


def _value_plan(spec, include_personal, cells, long=False):
    """The Cell of each value column, resolved in the order of datasets._plan: explanation,
    derived, indicator, answer. Entries surveys read answers from the entry `b.e` and have no
    derived values."""
    entry = spec.has_entries
    answers = "b.e" if entry else "b.a"
    derived = {d.key for d in spec.derived}
    indicators = {i.key: i for i in spec.indicators}
    warnings = {f"{k}_explanation": k for k in spec.warning_keys}
    plan = []
    for col in datasets.value_columns(spec, include_personal):
        name = col.name
        if name in warnings:
            plan.append(Cell(name, _explanation(warnings[name], entry)))
        elif name in derived and entry:
            plan.append(Cell(name, "NULL::text"))
        elif name in derived:
            text = _value("b.d", name, cells.decimal, long)
            plan.append(Cell(name, text, _typed_value("b.d", name)))
        elif name in indicators and spec.question(name) is None:
            ind = indicators[name]
            if cells.typed:
                plan.append(Cell(name, "NULL::text", _typed_indicator(answers, ind)))
            else:
                plan.append(Cell(name, _indicator(answers, ind, cells.decimal)))
        else:
            text = _value(answers, name, cells.decimal, long)
            plan.append(Cell(name, text, _typed_value(answers, name)))
    return plan


def _rounds_values(rounds, cells):
    rule = cells.text_rule
    rows = ", ".join(f"({r.id}, {i}, {_lit(rule(r.slug))})" for i, r in enumerate(rounds))
    return f"(VALUES {rows}) AS ro(id, ord, slug)"


def _base(rounds, cells, entries):
    """One row per recipient × round (× entry with `entries`), with the submission's
    documents only when it responded. Columns: ord (the round's place), pos (the
    municipality's place by code), code, name, region_code, region_name, dst_group, slug,
    state, responded, submitted_at, late, a, d, x (answers, derived, explanations); with
    `entries` also entry_no, e (the entry), nothing (a truthy `nothing_to_report`)."""
    through = Round.recipients.through._meta
    round_col = through.get_field("round").column
    mun_col = through.get_field("municipality").column
    municipality = Municipality._meta.db_table
    ids = ", ".join(str(r.id) for r in rounds)
    responded = RESPONDED
    columns = (
        "ro.ord, m.pos, m.code, NULLIF(m.name, '') AS name, "
        "NULLIF(m.region_code, '') AS region_code, NULLIF(m.region_name, '') AS region_name, "
        "NULLIF(m.dst_group, '') AS dst_group, ro.slug, "
        f"COALESCE(s.state, 'no_response') AS state, COALESCE({responded}, false) AS responded, "
        "s.submitted_at, s.late, "
        f"CASE WHEN {responded} THEN s.answers END AS a, "
        f"CASE WHEN {responded} THEN s.derived END AS d, "
        f"CASE WHEN {responded} THEN s.explanations END AS x"
    )
    joins = (
        f"FROM {through.db_table} rr "
        f"JOIN {_rounds_values(rounds, cells)} ON ro.id = rr.{round_col} "
        f"JOIN (SELECT *, row_number() OVER (ORDER BY code) AS pos FROM {municipality}) m "
        f"ON m.id = rr.{mun_col} "
        f"LEFT JOIN {Submission._meta.db_table} s "
        f"ON s.round_id = rr.{round_col} AND s.municipality_id = rr.{mun_col} "
        f"WHERE rr.{round_col} IN ({ids})"
    )
    if not entries:
        return f"SELECT {columns} {joins} OFFSET 0"
    # One row per entry of a responded submission whose `entries` is a non-empty list; one
    # row (entry_no NULL) otherwise.
    inner = f"SELECT {columns} {joins} OFFSET 0"
    nothing = (
        "COALESCE(i.a->'nothing_to_report' NOT IN "
        "('null', 'false', '0', '\"\"', '[]', '{}'), false)"
    )
    return (
        f"SELECT i.*, en.n AS entry_no, en.v AS e, {nothing} AS nothing FROM ({inner}) i "
        "LEFT JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(i.a->'entries') = "
        "'array' THEN i.a->'entries' END) WITH ORDINALITY AS en(v, n) ON true OFFSET 0"
    )


def _table(cells, columns, source, keys, where=""):
    """SELECT the columns (Cell) of the rows of `source` (aliased b) that match `where`,
    ordered by `keys`. The cells are computed in a subquery and the formula rule applied
    outside it, so it evaluates column references, not the expressions again."""
    inner, finals = [f"b.{k}" for k in keys], []
    for i, col in enumerate(columns):
        inner.append(f"{_clean(col.text) if cells.typed else col.text} AS c{i}")
        typed = None
        if cells.typed and col.typed is not None:
            inner.append(f"{col.typed} AS j{i}")
            typed = f"f.j{i}"
        finals.append(_final(cells, f"f.c{i}", typed))
    order = ", ".join(f"f.{k}" for k in keys)
    return (
        f"SELECT {_row(cells, finals)} FROM (SELECT {', '.join(inner)} FROM ({source}) b "
        f"{where} OFFSET 0) f ORDER BY {order}"
    )


RESPONDED_ONLY = "CASE WHEN b.responded THEN {} END"
UTC_SECONDS = "to_char(b.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS{}')"


def wide_sql(rounds, spec, include_personal=False, cells=CSV):
    """The SELECT of the wide table (columns `datasets.wide_columns`)."""
    head = [
        Cell("municipality_code", "NULLIF(b.code, '')"),
        Cell("municipality_name", "b.name"),
        Cell("region_code", "b.region_code"),
        Cell("region_name", "b.region_name"),
        Cell("dst_group", "b.dst_group"),
        Cell("round", "b.slug"),
        Cell("state", "b.state"),
        Cell(
            "submitted_at",
            RESPONDED_ONLY.format(UTC_SECONDS.format('"Z"')),
            RESPONDED_ONLY.format(f"to_json({UTC_SECONDS.format('')})"),
        ),
        Cell(
            "late",
            RESPONDED_ONLY.format("CASE WHEN b.late THEN 'true' WHEN NOT b.late THEN 'false' END"),
            RESPONDED_ONLY.format("to_json(b.late)"),
        ),
    ]
    if spec.has_entries:
        nothing = (
            "CASE WHEN b.entry_no IS NOT NULL THEN {} WHEN b.responded AND b.nothing THEN {} END"
        )
        head += [
            Cell("entry_no", "b.entry_no::text", "to_json(b.entry_no)"),
            Cell(
                "nothing_to_report",
                nothing.format("'false'", "'true'"),
                nothing.format("'false'::json", "'true'::json"),
            ),
        ]
    columns = head + _value_plan(spec, include_personal, cells)
    names = [c.name for c in datasets.wide_columns(spec, include_personal)]
    assert [c.name for c in columns] == names, "SQL columns drifted from datasets.wide_columns"
    keys = ["ord", "pos", "entry_no"] if spec.has_entries else ["ord", "pos"]
    return _table(cells, columns, _base(rounds, cells, spec.has_entries), keys)


def long_sql(rounds, spec, include_personal=False, cells=CSV):
    """The SELECT of the long table: one row per value of a responded row (entries: per
    entry) in column order, "nothing to report" as its own row (datasets.long_rows).

    The responded rows are sorted before they are expanded, so PostgreSQL only has to order
    each row's few values (an incremental sort) instead of sorting every value row."""
    if cells.decimal != ".":
        raise ValueError("the long table is written with a decimal point")
    pairs = []
    if spec.has_entries:
        nothing = "CASE WHEN b.entry_no IS NULL AND b.nothing THEN {} END"
        pairs.append(
            Cell("nothing_to_report", nothing.format("'true'"), nothing.format("'true'::json"))
        )
    pairs += _value_plan(spec, include_personal, cells, long=True)
    rule = cells.text_rule
    values = ", ".join(
        f"({i}, {_lit(rule(c.name))}, {_clean(c.text) if cells.typed else c.text}, "
        f"{(c.typed if cells.typed else None) or 'NULL'}::json)"
        for i, c in enumerate(pairs)
    )
    keys = ["ord", "pos", "entry_no"] if spec.has_entries else ["ord", "pos"]
    entry_no = "b.entry_no" if spec.has_entries else "NULL::bigint"
    finals = [
        _final(cells, _clean("b.code") if cells.typed else "b.code"),
        _final(cells, "b.slug"),
        f"to_json({entry_no})" if cells.typed else f"{entry_no}::text",
        _final(cells, "kv.question"),
        _final(cells, "NULLIF(kv.value, '')", "kv.typed"),
    ]
    answered = "kv.value IS NOT NULL" + (" OR kv.typed IS NOT NULL" if cells.typed else "")
    return (
        f"SELECT {_row(cells, finals)} "
        f"FROM (SELECT * FROM ({_base(rounds, cells, spec.has_entries)}) b0 WHERE b0.responded "
        f"ORDER BY {', '.join('b0.' + k for k in keys)} OFFSET 0) b "
        f"CROSS JOIN LATERAL (VALUES {values}) AS kv(i, question, value, typed) "
        f"WHERE {answered} "
        f"ORDER BY {', '.join('b.' + k for k in keys)}, kv.i"
    )


def non_responder_sql(rounds, cells=XLSX):
    """The SELECT of the non-responders table (`datasets.non_responder_columns` of the
    municipalities): the recipients whose submission is not submitted/accepted."""
    columns = [
        Cell("municipality_code", "b.code"),
        Cell("municipality_name", "b.name"),
        Cell("region_name", "b.region_name"),
        Cell("dst_group", "b.dst_group"),
        Cell("round", "b.slug"),
        Cell("state", "b.state"),
    ]
    names = [c.name for c in datasets.non_responder_columns()]
    assert [c.name for c in columns] == names, "SQL columns drifted from non_responder_columns"
    source = _base(rounds, cells, entries=False)
    return _table(cells, columns, source, ["ord", "pos"], where="WHERE NOT b.responded")


class CopyStream:
    """Iterate to get the CSV as UTF-8 byte chunks; `count` is the number of data rows
    written so far (the export log's `rows`)."""

    def __init__(self, sql, columns, *, delimiter=",", bom=False, float_digits=False):
        self.sql = sql
        self.columns = columns
        self.delimiter = delimiter
        self.bom = bom
        self.float_digits = float_digits
        self.count = 0

    def _header(self):
        out = io.StringIO()
        if self.bom:
            out.write(renderers.BOM)
        csv.writer(out, delimiter=self.delimiter, lineterminator="\r\n").writerow(
            [safe_text(c.name) for c in self.columns]
        )
        return out.getvalue().encode("utf-8")

    def __iter__(self):
        header = self._header()
        statement = (
            f"COPY ({self.sql}) TO STDOUT WITH (FORMAT csv, DELIMITER {_lit(self.delimiter)})"
        )
        count, batch = 0, FIRST_BATCH
        connection.ensure_connection()
        with connection.cursor() as cursor:
            if self.float_digits:
                cursor.execute("SET extra_float_digits = 1")
            with cursor.cursor.copy(statement) as copy:
                yield header
                rows = iter(copy)  # one CopyData message = one row, ending in b"\n"
                while True:
                    # A block of rows without a Python step per row: map and islice run in
                    # C, and each message is copied into the buffer and dropped at once
                    # (holding psycopg's row buffers costs more than copying them).
                    buffer = bytearray()
                    n = len(list(map(buffer.extend, itertools.islice(rows, batch))))
                    if not n:
                        break
                    count += n
                    self.count = count
                    yield crlf(bytes(buffer), n)
                    # About CHUNK bytes a block, whatever the row width.
                    batch = max(1, n * CHUNK // len(buffer))
        self.count = count


def _stream_size():
    """Rows per chunk of psycopg's stream(): chunked mode needs libpq 17 (psycopg[binary]
    brings its own); with an older libpq, one row at a time (the same rows, slower)."""
    from psycopg import capabilities

    return SHEET_CHUNK if capabilities.has_stream_chunked() else 1


class SheetRows:
    """Iterate to get the rows of an XLSX sheet as lists of cells ready for the writer
    (renderers.xlsx_bytes takes them as they are); `count` is the number of rows read so far.

    The SELECT (Cells XLSX) gives one JSON array per row. psycopg streams the result in
    chunks (libpq's chunked mode: constant memory, no server-side cursor), and each chunk is
    decoded by one json.loads; the date-time columns (`datetimes`, by place) become naive
    datetimes in UTC. Python does a few steps per row and none per cell."""

    xlsx_ready = True

    def __init__(self, sql, datetimes=(), *, float_digits=False):
        self.sql = sql
        self.datetimes = tuple(datetimes)
        self.float_digits = float_digits
        self.count = 0

    def __iter__(self):
        return itertools.chain.from_iterable(self._chunks())

    def _chunks(self):
        loads, parse, datetimes = json.loads, dt.datetime.fromisoformat, self.datetimes
        connection.ensure_connection()
        with connection.cursor() as cursor:
            if self.float_digits:
                cursor.execute("SET extra_float_digits = 1")
            stream = cursor.cursor.stream(self.sql, size=_stream_size())
            while chunk := list(itertools.islice(stream, SHEET_CHUNK)):
                rows = loads("[" + ",".join([text for (text,) in chunk]) + "]")
                for i in datetimes:
                    for row in rows:
                        if row[i] is not None:
                            row[i] = parse(row[i])
                self.count += len(rows)
                yield rows


def crlf(block, rows):
    r"""`block` (`rows` whole CSV rows, each ending in b"\n") with b"\r\n" row ends.

    A newline is a row's end unless it is inside a quoted cell. When the block has one newline
    per row, all are row ends (one replace); otherwise the newlines outside quotes are: split at
    the quote character, the even parts are outside (a quote inside a cell is doubled)."""
    if block.count(b"\n") == rows:
        return block.replace(b"\n", b"\r\n")
    parts = block.split(b'"')
    parts[::2] = [part.replace(b"\n", b"\r\n") for part in parts[::2]]
    return b'"'.join(parts)


def _has_indicator_columns(spec):
    derived = {d.key for d in spec.derived}
    return any(i.key not in derived and spec.question(i.key) is None for i in spec.indicators)


def csv_stream(rounds, fmt, include_personal=False):
    """The CopyStream of a csv, csv-da or long export of `rounds` (stacked in order)."""
    rounds = datasets.ordered_rounds(rounds)
    spec = datasets.spec_of(rounds)
    if fmt == "long":
        sql = long_sql(rounds, spec, include_personal)
        return CopyStream(sql, datasets.long_columns(), float_digits=_has_indicator_columns(spec))
    danish = fmt == "csv-da"
    sql = wide_sql(rounds, spec, include_personal, CSV_DA if danish else CSV)
    return CopyStream(
        sql,
        datasets.wide_columns(spec, include_personal),
        delimiter=";" if danish else ",",
        bom=danish,
        float_digits=_has_indicator_columns(spec),
    )


def xlsx_sheets(rounds, include_personal=False):
    """The SheetRows of the wide, long and non-responders sheets of an XLSX export of
    `rounds` (stacked in order); the wide one's `count` is the export log's `rows`."""
    rounds = datasets.ordered_rounds(rounds)
    spec = datasets.spec_of(rounds)
    digits = _has_indicator_columns(spec)
    columns = datasets.wide_columns(spec, include_personal)
    datetimes = [i for i, c in enumerate(columns) if c.type == "datetime"]
    return (
        SheetRows(wide_sql(rounds, spec, include_personal, XLSX), datetimes, float_digits=digits),
        SheetRows(long_sql(rounds, spec, include_personal, XLSX), float_digits=digits),
        SheetRows(non_responder_sql(rounds, XLSX)),
    )
