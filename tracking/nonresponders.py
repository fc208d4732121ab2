"""The non-responder list for phone follow-up, as CSV and XLSX: municipality, state, officers
and contacts with e-mails and phones, reminders sent, the latest chase note.

Formula-safe: CSV through defusedcsv; every text cell (CSV and XLSX) that begins with =, +, -, @,
|, %, tab or carriage return is prefixed with ' so a spreadsheet shows it as text."""

import io
from collections.abc import Iterator

from defusedcsv import csv as defused
from django.utils import timezone
from openpyxl import Workbook

from lib.formula import spreadsheet_text
from lib.text import pick
from reference.models import KOMMUNER, Register
from surveys.models import Round
from tracking.board import BoardState, board_rows, filter_rows

COLUMNS = [
    "kommunekode",
    "kommune",
    "region",
    "kommunegruppe",
    "status",
    "sagsbehandlere",
    "e-mails",
    "telefon",
    "kontaktpersoner",
    "påmindelser sendt",
    "seneste påmindelse",
    "seneste note dato",
    "seneste note",
]


def safe(value):
    """A cell value neutralised against formula injection (numbers pass through)."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return spreadsheet_text(value)


def _local(value, fmt="%Y-%m-%d %H:%M"):
    return timezone.localtime(value).strftime(fmt) if value else ""


def _register(round_: Round) -> Register | None:
    """None for the municipalities (the columns above), else the round's register: its rows
    begin with code, name and one column per attribute (values as stored, i.e. codes)."""
    register = round_.survey.register
    return None if register.key == KOMMUNER else register


def columns(round_: Round) -> list[str]:
    register = _register(round_)
    if register is None:
        return COLUMNS
    # The file's columns are Danish whatever the interface language (like the columns above:
    # the same address gives the same bytes), so the attributes' Danish labels.
    attributes = [pick(a.get("label") or {}, "da") or a["key"] for a in register.attribute_specs()]
    return ["kode", "navn", *[a.lower() for a in attributes], *COLUMNS[4:]]


def rows(round_: Round) -> Iterator[list]:
    """One line per recipient that has not submitted, by code (the board's rows)."""
    register = _register(round_)
    keys = [a["key"] for a in register.attribute_specs()] if register is not None else []
    missing = filter_rows(board_rows(round_), state="missing")
    for m in sorted(missing, key=lambda r: r.code):
        officers, contacts = m.officers, m.contact_people
        emails = [o.email for o in officers] + [c.email for c in contacts if c.email]
        phones = [o.phone for o in officers if o.phone] + [c.phone for c in contacts if c.phone]
        who = (
            [m.region_name, m.dst_group]
            if register is None
            else [m.attributes.get(k) for k in keys]
        )
        yield [
            m.code,
            m.name,
            *who,
            str(BoardState.labels[m.board_state]),
            "; ".join(o.name for o in officers),
            "; ".join(dict.fromkeys(emails)),
            "; ".join(dict.fromkeys(phones)),
            "; ".join(c.name + (f" ({c.title})" if c.title else "") for c in contacts),
            m.reminders_sent,
            _local(m.last_reminder_at),
            m.last_note_on.isoformat() if m.last_note_on else "",
            m.last_note_text or "",
        ]


def csv_bytes(round_: Round) -> bytes:
    """UTF-8 with BOM and semicolons, so Danish Excel opens it as it is."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = defused.writer(out, delimiter=";")
    writer.writerow(columns(round_))
    for row in rows(round_):
        writer.writerow([safe(v) for v in row])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(round_: Round) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title="Ikke svaret")
    ws.append(columns(round_))
    for row in rows(round_):
        ws.append([safe(c) for c in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
