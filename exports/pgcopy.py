"""CSV exports written by PostgreSQL itself: `COPY (SELECT …) TO STDOUT WITH (FORMAT csv)`
streamed through psycopg, one row per CopyData message (issue 7: an export within 2× of COPY).

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

Known differences, both for data the app never writes: lists holding lists or objects (refused
by the API's shape check) are printed as JSON here and as Python reprs by the Python path; a
number with more digits than a float holds is printed as stored here and rounded by the Python
path. tests/exports/test_csv_paths.py checks both paths against the same expected bytes.
"""

import csv
import io
from itertools import islice

from django.db import connection

from exports import datasets, renderers
from lib.formula import safe_text
from reference.models import Municipality
from submissions.models import Submission
from surveys.models import Round

CHUNK = renderers.CSV_CHUNK
FIRST_BATCH = 256  # rows in the first block; then sized to about CHUNK bytes
RESPONDED = "s.state IN ('submitted', 'accepted')"
# ascii() is the first character's code point: tab, CR, %, +, -, =, @, |. The -1 (never a
# code point) makes the list nine long, the length from which PostgreSQL tests an IN list by
# a hash lookup instead of one comparison per element (600,000 cells in a 40-round export).
FORMULA_STARTS = "9, 13, 37, 43, 45, 61, 64, 124, -1"
# The comparison of the Python path is by defusedcsv's pattern with re.match, whose `$` also
# matches before a final newline.
NUMERIC = r"E'^-?[0-9,.]+\\n?$'"


def supported():
    """PostgreSQL through psycopg 3 (whose cursors have copy())."""
    if connection.vendor != "postgresql":
        return False
    # Imported only on PostgreSQL: the module needs a PostgreSQL driver.
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


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


def _indicator(doc, ind, decimal):
    """numerator / denominator as Python divides two JSON numbers (None unless both are numbers
    and the denominator is positive), printed as renderers._number_text prints a float."""
    num, den = f"{doc}->{_lit(ind.numerator)}", f"{doc}->{_lit(ind.denominator)}"
    # float8 → text is the shortest round-trip form (extra_float_digits = 1, set before COPY);
    # → numeric makes it positional.
    quotient = f"(({num} #>> '{{}}')::float8 / ({den} #>> '{{}}')::float8)::text::numeric"
    text = (
        f"(SELECT CASE WHEN q.x = trunc(q.x) AND abs(q.x) < 1e16 THEN trunc(q.x)::text || '.0' "
        f"ELSE q.x::text END FROM (SELECT {quotient} AS x) q)"
    )
    return (
        f"CASE WHEN jsonb_typeof({num}) = 'number' AND jsonb_typeof({den}) = 'number' "
        f"AND ({den} #>> '{{}}')::numeric > 0 THEN {_number(text, decimal)} END"
    )


def _explanation(key, entry):
    """`explanations[key]` (entries: `key@n`, else `key`), empty as NULL."""
    own = f"NULLIF(b.x->>{_lit(key)}, '')"
    if not entry:
        return own
    return f"COALESCE(NULLIF(b.x->>({_lit(key + '@')} || b.entry_no), ''), {own})"


def _value_plan(spec, include_personal, decimal, long=False):
    """(column name, cell SQL) of each value column, resolved in the order of datasets._plan:
    explanation, derived, indicator, answer. Entries surveys read answers from the entry `b.e`
    and have no derived values."""
    entry = spec.has_entries
    answers = "b.e" if entry else "b.a"
    derived = {d.key for d in spec.derived}
    indicators = {i.key: i for i in spec.indicators}
    warnings = {f"{k}_explanation": k for k in spec.warning_keys}
    plan = []
    for col in datasets.value_columns(spec, include_personal):
        name = col.name
        if name in warnings:
            sql = _explanation(warnings[name], entry)
        elif name in derived:
            sql = "NULL::text" if entry else _value("b.d", name, decimal, long)
        elif name in indicators and spec.question(name) is None:
            sql = _indicator(answers, indicators[name], decimal)
        else:
            sql = _value(answers, name, decimal, long)
        plan.append((name, sql))
    return plan


def _rounds_values(rounds):
    rows = ", ".join(f"({r.id}, {i}, {_lit(safe_text(r.slug))})" for i, r in enumerate(rounds))
    return f"(VALUES {rows}) AS ro(id, ord, slug)"


def _base(rounds, spec):
    """One row per recipient × round (× entry), with the submission's documents only when it
    responded. Columns: ord (the round's place), pos (the municipality's place by code), code,
    name, region_code, region_name, dst_group, slug, state, responded, submitted_at, late,
    a, d, x (answers, derived, explanations); entries surveys also entry_no, e (the entry),
    nothing (a truthy `nothing_to_report`)."""
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
        f"JOIN {_rounds_values(rounds)} ON ro.id = rr.{round_col} "
        f"JOIN (SELECT *, row_number() OVER (ORDER BY code) AS pos FROM {municipality}) m "
        f"ON m.id = rr.{mun_col} "
        f"LEFT JOIN {Submission._meta.db_table} s "
        f"ON s.round_id = rr.{round_col} AND s.municipality_id = rr.{mun_col} "
        f"WHERE rr.{round_col} IN ({ids})"
    )
    if not spec.has_entries:
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


def wide_sql(rounds, spec, include_personal=False, decimal="."):
    """The SELECT of the wide table (columns `datasets.wide_columns`)."""
    head = [
        ("municipality_code", "NULLIF(b.code, '')"),
        ("municipality_name", "b.name"),
        ("region_code", "b.region_code"),
        ("region_name", "b.region_name"),
        ("dst_group", "b.dst_group"),
        ("round", "b.slug"),
        ("state", "b.state"),
        (
            "submitted_at",
            "CASE WHEN b.responded THEN to_char(b.submitted_at AT TIME ZONE 'UTC', "
            '\'YYYY-MM-DD"T"HH24:MI:SS"Z"\') END',
        ),
        (
            "late",
            "CASE WHEN b.responded THEN CASE WHEN b.late THEN 'true' "
            "WHEN NOT b.late THEN 'false' END END",
        ),
    ]
    if spec.has_entries:
        head += [
            ("entry_no", "b.entry_no::text"),
            (
                "nothing_to_report",
                "CASE WHEN b.entry_no IS NOT NULL THEN 'false' "
                "WHEN b.responded AND b.nothing THEN 'true' END",
            ),
        ]
    cells = head + _value_plan(spec, include_personal, decimal)
    names = [c.name for c in datasets.wide_columns(spec, include_personal)]
    assert [n for n, _ in cells] == names, "SQL columns drifted from datasets.wide_columns"
    inner = ", ".join(f"{sql} AS c{i}" for i, (_, sql) in enumerate(cells))
    outer = ", ".join(_safe(f"f.c{i}") for i in range(len(cells)))
    order = "f.ord, f.pos, f.entry_no" if spec.has_entries else "f.ord, f.pos"
    keys = "b.ord, b.pos" + (", b.entry_no" if spec.has_entries else "")
    return (
        f"SELECT {outer} FROM (SELECT {keys}, {inner} FROM ({_base(rounds, spec)}) b OFFSET 0) f "
        f"ORDER BY {order}"
    )


def long_sql(rounds, spec, include_personal=False):
    """The SELECT of the long table: one row per value of a responded row (entries: per
    entry) in column order, "nothing to report" as its own row (datasets.long_rows).

    The responded rows are sorted before they are expanded, so PostgreSQL only has to order
    each row's few values (an incremental sort) instead of sorting every value row."""
    pairs = []
    if spec.has_entries:
        pairs.append(
            ("nothing_to_report", "CASE WHEN b.entry_no IS NULL AND b.nothing THEN 'true' END")
        )
    pairs += _value_plan(spec, include_personal, ".", long=True)
    values = ", ".join(
        f"({i}, {_lit(safe_text(name))}, {sql})" for i, (name, sql) in enumerate(pairs)
    )
    keys = ["ord", "pos", "entry_no"] if spec.has_entries else ["ord", "pos"]
    entry_no = "b.entry_no::text" if spec.has_entries else "NULL::text"
    value = _safe("NULLIF(kv.value, '')")
    return (
        f"SELECT {_safe('b.code')}, b.slug, {entry_no}, kv.question, {value} "
        f"FROM (SELECT * FROM ({_base(rounds, spec)}) b0 WHERE b0.responded "
        f"ORDER BY {', '.join('b0.' + k for k in keys)} OFFSET 0) b "
        f"CROSS JOIN LATERAL (VALUES {values}) AS kv(i, question, value) "
        "WHERE kv.value IS NOT NULL "
        f"ORDER BY {', '.join('b.' + k for k in keys)}, kv.i"
    )


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
                    n = len(list(map(buffer.extend, islice(rows, batch))))
                    if not n:
                        break
                    count += n
                    self.count = count
                    yield crlf(bytes(buffer), n)
                    # About CHUNK bytes a block, whatever the row width.
                    batch = max(1, n * CHUNK // len(buffer))
        self.count = count


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
    sql = wide_sql(rounds, spec, include_personal, "," if danish else ".")
    return CopyStream(
        sql,
        datasets.wide_columns(spec, include_personal),
        delimiter=";" if danish else ",",
        bom=danish,
        float_digits=_has_indicator_columns(spec),
    )
