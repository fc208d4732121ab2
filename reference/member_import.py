"""Reading a register's members from a file (CSV or XLSX) and working out what loading it
would change: the members added, changed and removed, and every problem per row. Nothing here
writes; `surveys.registers.apply_members` applies a plan with no problems, in one transaction.

A file has a header row with `code`, `name` and one column per attribute key of the register
(Danish headers `kode`, `navn` are read too). CSV may be UTF-8 (with or without BOM) or
Windows-1252 (Danish Excel), separated by `,` or `;`.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from reference.models import Organisation, Register

MAX_ROWS = 5000
HEADER_ALIASES = {"kode": "code", "navn": "name"}


class FileError(Exception):
    """The file cannot be read at all (not a table, no header, too big)."""


@dataclass(frozen=True)
class RowProblem:
    row: int  # the row number in the file (the header is row 1); 0: the file as a whole
    message: str


@dataclass
class MemberRow:
    row: int
    code: str
    name: str
    attributes: dict


@dataclass
class Change:
    code: str
    name: str
    before: dict = field(default_factory=dict)  # field → old value
    after: dict = field(default_factory=dict)  # field → new value


@dataclass
class Plan:
    """What loading the file would do. `removed` are members not in the file: those still
    referenced (answers, memberships, rounds) are deactivated, the others deleted."""

    rows: list[MemberRow] = field(default_factory=list)
    added: list[MemberRow] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    removed: list[Organisation] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems

    @property
    def unchanged(self):
        return not (self.added or self.changed or self.removed)


# --- Reading


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _csv_rows(content: bytes) -> list[list[str]]:
    text = _decode(content)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:  # e.g. one cell over the csv module's field limit (128 KB)
        raise FileError(_("Filen kan ikke læses som CSV: %(reason)s.") % {"reason": exc}) from exc


def _xlsx_rows(content: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileError(_("Filen kan ikke læses som et Excel-regneark (XLSX).")) from exc
    sheet = workbook.worksheets[0]
    out = []
    for values in sheet.iter_rows(values_only=True):
        out.append(["" if v is None else _cell_text(v) for v in values])
    workbook.close()
    return out


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(content: bytes, filename: str) -> list[dict]:
    """The file's rows as dicts keyed by the (lower-cased) header, each with `_row` (its row
    number in the file). Raises FileError."""
    if filename.lower().endswith(".xlsx"):
        raw = _xlsx_rows(content)
    else:
        raw = _csv_rows(content)
    raw = [r for r in raw if any(c.strip() for c in r)]
    if not raw:
        raise FileError(_("Filen er tom."))
    if len(raw) > MAX_ROWS + 1:
        raise FileError(_("Filen har mere end %(max)d rækker.") % {"max": MAX_ROWS})
    header = [HEADER_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in raw[0]]
    if "code" not in header or "name" not in header:
        raise FileError(
            _("Første række skal have kolonnerne »code« og »name« (eller »kode« og »navn«).")
        )
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        row = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}
        row["_row"] = number
        rows.append(row)
    return rows


# --- Checking


def check_attribute(spec: dict, value: str, known_codes: dict) -> tuple[object, str | None]:
    """One attribute value as stored, or a problem. `known_codes`: register key → set of codes
    (for attributes of type code)."""
    if value == "":
        return None, None
    kind = spec.get("type", "text")
    label = spec.get("key")
    if kind == "integer":
        if not re.fullmatch(r"-?[0-9]+", value):
            return None, _("%(attr)s skal være et helt tal, ikke »%(value)s«.") % {
                "attr": label,
                "value": value,
            }
        return int(value), None
    if kind == "decimal":
        try:
            number = Decimal(value.replace(",", "."))
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():  # not NaN, sNaN or Infinity
            return float(number), None
        return None, _("%(attr)s skal være et tal, ikke »%(value)s«.") % {
            "attr": label,
            "value": value,
        }
    if kind == "code" and spec.get("register"):
        if value not in known_codes.get(spec["register"], set()):
            return None, _("%(attr)s: »%(value)s« findes ikke i registret %(register)s.") % {
                "attr": label,
                "value": value,
                "register": spec["register"],
            }
    return value, None


def known_codes_for(register: Register) -> dict:
    """For each register an attribute of `register` points at: the codes of its members."""
    targets = {a["register"] for a in register.attribute_specs() if a.get("register")}
    out = {key: set() for key in targets}
    for key, code in Organisation.objects.filter(
        register__key__in=targets, is_active=True
    ).values_list("register__key", "code"):
        out[key].add(code)
    return out


def check_member(
    register: Register, code: str, name: str, values: dict, known: dict
) -> tuple[dict, list[str]]:
    """One member's code, name and attribute values checked: (attributes, problems)."""
    problems = []
    if not code:
        problems.append(_("Koden mangler."))
    elif not register.code_matches(code):
        problems.append(
            _(
                "Koden »%(code)s« passer ikke til registrets mønster (%(pattern)s). Koder "
                "består af store bogstaver A-Z, tal, - og _."
            )
            % {"code": code, "pattern": register.code_pattern}
        )
    if not name:
        problems.append(_("Navnet mangler."))
    elif len(name) > 200:
        problems.append(_("Navnet er længere end 200 tegn."))
    attributes = {}
    for spec in register.attribute_specs():
        value, problem = check_attribute(spec, (values.get(spec["key"]) or "").strip(), known)
        if problem:
            problems.append(problem)
        elif value is not None:
            attributes[spec["key"]] = value
    return attributes, problems


# What refers to a member: a member with any of these is deactivated, never deleted.
REFERENCES = (
    "submissions",
    "memberships",
    "rounds",
    "reminders",
    "chase_notes",
    "contacts",
    "invitation",
)


def referenced_ids(members: list[Organisation]) -> set[int]:
    """The ids of `members` that anything refers to: one query per relation for all of
    them, not one per member and relation (a removal plan may name thousands)."""
    ids = [m.pk for m in members]
    found: set[int] = set()
    for relation in REFERENCES if ids else ():
        found.update(
            Organisation.objects.filter(pk__in=ids, **{f"{relation}__isnull": False})
            .values_list("pk", flat=True)
            .distinct()
        )
    return found


def plan_members(register: Register, table: list[dict], *, remove_missing: bool = True) -> Plan:
    """What loading `table` (from `read_table`) into `register` would do, with every problem.
    `remove_missing`: members not in the file are removed (deactivated when referenced)."""
    plan = Plan()
    columns = {k for row in table for k in row} - {"_row", "code", "name"}
    unknown = sorted(columns - {a["key"] for a in register.attribute_specs()})
    if unknown:
        plan.problems.append(
            RowProblem(
                1,
                _("Kolonnerne %(columns)s er ikke egenskaber i registret (det har: %(known)s).")
                % {
                    "columns": ", ".join(f"»{c}«" for c in unknown),
                    "known": ", ".join(a["key"] for a in register.attribute_specs()) or "—",
                },
            )
        )
        return plan
    known = known_codes_for(register)
    if register.key in known:  # an attribute may point at another member of the same file
        known[register.key] |= {r.get("code", "") for r in table}
    seen = {}
    for raw in table:
        code, name = raw.get("code", ""), raw.get("name", "")
        attributes, problems = check_member(register, code, name, raw, known)
        if code and code in seen:
            problems.append(
                _("Koden »%(code)s« står også i række %(row)d.") % {"code": code, "row": seen[code]}
            )
        seen.setdefault(code, raw["_row"])
        plan.problems += [RowProblem(raw["_row"], p) for p in problems]
        if not problems:
            plan.rows.append(MemberRow(raw["_row"], code, name, attributes))
    if plan.problems:
        return plan
    existing = {m.code: m for m in Organisation.objects.filter(register=register)}
    for row in plan.rows:
        member = existing.get(row.code)
        if member is None:
            plan.added.append(row)
            continue
        before, after = {}, {}
        if member.name != row.name:
            before["name"], after["name"] = member.name, row.name
        for spec in register.attribute_specs():
            old, new = member.attribute(spec["key"]), row.attributes.get(spec["key"])
            if old != new:
                before[spec["key"]], after[spec["key"]] = old, new
        if not member.is_active:
            before["is_active"], after["is_active"] = False, True
            plan.reactivated.append(row.code)
        if after:
            plan.changed.append(Change(row.code, row.name, before, after))
    if remove_missing:
        in_file = {row.code for row in plan.rows}
        plan.removed = [
            m
            for code, m in sorted(existing.items())
            if code not in in_file and m.is_active and not m.is_synthetic
        ]
        referenced = referenced_ids(plan.removed)
        for member in plan.removed:
            member.referenced = member.pk in referenced
    return plan
