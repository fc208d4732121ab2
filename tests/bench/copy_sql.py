"""PostgreSQL's own `COPY (SELECT …) TO STDOUT WITH CSV` of the rows and columns the CSV
export writes — the floor an export is compared with (DESIGN §8).

The SELECT is built from the export's own column list (exports.datasets.wide_columns /
long_columns), so both produce the same rows in the same order with the same columns: one
row per recipient × round (wide; values only for submitted/accepted), one row per answered
value of a responding municipality (long). Surveys without entries only.
"""

from exports import datasets

RESPONDED = "s.state IN ('submitted', 'accepted')"
FROM = """
FROM surveys_round_recipients rr
JOIN surveys_round r ON r.id = rr.round_id
JOIN surveys_municipality m ON m.id = rr.municipality_id
LEFT JOIN submissions_submission s
  ON s.round_id = rr.round_id AND s.municipality_id = rr.municipality_id
WHERE rr.round_id = ANY(%(ids)s)
"""


def _quote(key):
    return "'" + key.replace("'", "''") + "'"


def _value_exprs(spec):
    """(column name, SQL text expression) of each value column, as the export computes it."""
    derived = {d.key for d in spec.derived}
    indicators = {i.key: i for i in spec.indicators}
    warnings = {f"{k}_explanation": k for k in spec.warning_keys}
    out = []
    for col in datasets.value_columns(spec):
        if col.name in warnings:
            expr = f"s.explanations->>{_quote(warnings[col.name])}"
        elif col.name in derived:
            expr = f"s.derived->>{_quote(col.name)}"
        elif col.name in indicators and spec.question(col.name) is None:
            ind = indicators[col.name]
            num = f"(s.answers->>{_quote(ind.numerator)})::numeric"
            den = f"NULLIF((s.answers->>{_quote(ind.denominator)})::numeric, 0)"
            expr = f"({num} / {den})::text"
        else:
            expr = f"s.answers->>{_quote(col.name)}"
        out.append((col.name, expr))
    return out


def wide_sql(spec):
    if spec.has_entries:
        raise NotImplementedError("COPY comparison is for surveys without entries")
    head = [
        "m.code",
        "m.name",
        "m.region_code",
        "m.region_name",
        "m.dst_group",
        "r.slug",
        "COALESCE(s.state, 'no_response')",
        f"CASE WHEN {RESPONDED} THEN to_char(s.submitted_at AT TIME ZONE 'UTC', "
        '\'YYYY-MM-DD"T"HH24:MI:SS"Z"\') END',
        f"CASE WHEN {RESPONDED} THEN CASE WHEN s.late THEN 'true' ELSE 'false' END END",
    ]
    values = [f"CASE WHEN {RESPONDED} THEN {expr} END" for _, expr in _value_exprs(spec)]
    names = [c.name for c in datasets.wide_columns(spec)]
    assert len(names) == len(head) + len(values), "COPY columns drifted from the export"
    select = ",\n  ".join(f'{e} AS "{n}"' for e, n in zip(head + values, names, strict=True))
    return f"SELECT\n  {select}{FROM}ORDER BY r.deadline, r.id, m.code"


def long_sql(spec):
    if spec.has_entries:
        raise NotImplementedError("COPY comparison is for surveys without entries")
    pairs = ", ".join(f"({_quote(name)}, {expr})" for name, expr in _value_exprs(spec))
    joins = FROM.split("WHERE")[0].rstrip()
    return (
        "SELECT m.code AS municipality_code, r.slug AS round, NULL::int AS entry_no, "
        f"kv.question, kv.value{joins}\n"
        f"CROSS JOIN LATERAL (VALUES {pairs}) AS kv(question, value)\n"
        f"WHERE rr.round_id = ANY(%(ids)s) AND {RESPONDED}\n"
        "  AND kv.value IS NOT NULL AND kv.value <> ''\n"
        "ORDER BY r.deadline, r.id, m.code"
    )


def copy_rows(kind, rounds):
    """Run the COPY through psycopg and count its rows and bytes (the output is discarded).

    COPY takes no parameters, so the round ids are bound on the client: a `ClientCursor` on
    the app's connection, whatever cursor class the settings give it (with prepared
    statements, the default, Django's cursors bind on the server and have no `mogrify`)."""
    import psycopg
    from django.db import connection

    rounds = datasets.ordered_rounds(rounds)
    spec = datasets.spec_of(rounds)
    sql = wide_sql(spec) if kind in ("csv", "wide") else long_sql(spec)
    ids = [r.id for r in rounds]
    size = lines = 0
    connection.ensure_connection()
    raw = connection.connection  # the psycopg 3 connection
    with psycopg.ClientCursor(raw) as cur:
        query = cur.mogrify(sql, {"ids": ids})
        with cur.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
            for block in copy:
                size += len(block)
                lines += bytes(block).count(b"\n")
    return {"rows": lines - 1, "bytes": size, "status": "ready"}
