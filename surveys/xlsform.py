"""A survey definition as XLSForm (the ODK/KoboToolbox spreadsheet convention) and back.

Writing: `definition_to_xlsform(content)` gives the XLSX bytes (sheets `survey`, `choices`,
`settings`, and for what XLSForm has no place for, `rules`, `history_checks`, `indicators`).
Reading: `xlsform_to_definition(data)` checks the file (size, zip bomb, formulas, sheets),
reads it with pyxform's own parser (`get_xlsform` + `workbook_to_json`), maps it to a
definition and validates that (surveys.definitions). Every refusal names the sheet and row.

The mapping (docs/definitions.md says it for coordinators):
integer/decimal/text/select_one/select_multiple/date as the question types; `label::Dansk (da)`
and `label::English (en)`, `hint`, `required` (yes/no, or an expression → `required_when`),
`relevant` → show-when; `constraint` + `constraint_message` → an error rule; `calculate` →
a derived value; `begin_group` → a section (a `note` first in it → its description);
`begin_repeat` around all questions → entries. Our own columns `indberet::…` keep what XLSForm
cannot say (percentage, e-mail and yes/no types, unit, min, max, max_length, a CEL expression
that has no XPath twin), so a definition written and read again is the same definition.
"""

import io
import re
import zipfile
from dataclasses import dataclass

import openpyxl
from django.utils.translation import gettext as _
from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import (
    get_excel_column_headers,
    get_excel_rows,
    get_xlsform,
    xlsx_value_to_str,
)
from rustpy_xlsxwriter import write_worksheets

from surveys.definitions import (
    DEFINITION_SCHEMA,
    MAX_CHOICES,
    MAX_QUESTIONS,
    DefinitionError,
    validate_definition,
)
from surveys.xlsform_expressions import Untranslatable, cel_to_xpath, xpath_to_cel

LANGUAGES = (("da", "Dansk (da)"), ("en", "English (en)"))
EXT = "indberet"
YES_NO_LIST = "indberet_yes_no"
ENTRIES_NAME = "entries"

# Bad files are refused before any parser sees them: a form of 500 questions is ~100 KB.
MAX_FILE_BYTES = 2_000_000
MAX_UNPACKED_BYTES = 20_000_000  # all parts of the XLSX (a zip) together, unpacked
MAX_ZIP_PARTS = 200
MAX_ROWS = 5000  # per sheet; the choices sheet may hold every question's longest list
MAX_CHOICE_ROWS = MAX_QUESTIONS * MAX_CHOICES + 1
MAX_PROBLEMS = 20

# What the survey and settings sheets carry, property by property (a test compares these with
# DEFINITION_SCHEMA, so a property added to the format cannot be dropped here unnoticed).
HANDLED = {
    "(root)": {"key", "version", "register", "title", "description", "entries", "sections"}
    | {"questions", "derived"},
    "entries": {"label", "label_plural", "allow_nothing_to_report", "min", "max"},
    "sections": {"key", "title", "description", "relevant_when"},
    "questions": {"key", "type", "label", "help", "unit", "required", "required_when"}
    | {"relevant_when", "section", "min", "max", "max_length", "choices"},
    "derived": {"key", "expression", "type", "label"},
}
# Every other list of the definition (rules, history checks, indicators, splits, …) has its own
# sheet, one row per item and one column per property, read from the definition's JSON Schema
# so that a part added to the format is carried without a change here.
SURVEY_SHEET_PARTS = ("questions", "sections", "derived")
EXTENSION_SHEETS = tuple(
    name
    for name, prop in DEFINITION_SCHEMA["properties"].items()
    if prop.get("type") == "array" and name not in SURVEY_SHEET_PARTS
)
READ_SHEETS = ("survey", "choices", "settings", *EXTENSION_SHEETS)
# XLSForm sheets pyxform would read that have no place in a definition: refused when not empty.
UNSUPPORTED_SHEETS = ("external_choices", "entities", "osm")
EMPTY_LISTS = ("sections", "derived")  # settings `indberet::empty`: present, but no items


@dataclass(frozen=True)
class Problem:
    sheet: str | None
    row: int | None
    message: str

    @property
    def where(self):
        """`survey[5]` (sheet and row as the spreadsheet numbers them), or the sheet, or ''."""
        if self.sheet and self.row:
            return f"{self.sheet}[{self.row}]"
        return self.sheet or ""

    def __str__(self):
        if self.sheet and self.row:
            return _("Arket »%(sheet)s«, række %(row)s: %(message)s") % {
                "sheet": self.sheet,
                "row": self.row,
                "message": self.message,
            }
        if self.sheet:
            return _("Arket »%(sheet)s«: %(message)s") % {
                "sheet": self.sheet,
                "message": self.message,
            }
        return self.message


class XLSFormError(Exception):
    """A file that cannot become a definition; `problems` says where and why."""

    def __init__(self, problems):
        self.problems = list(problems)[:MAX_PROBLEMS]
        super().__init__("\n".join(str(p) for p in self.problems))


def _refuse(message, sheet=None, row=None):
    raise XLSFormError([Problem(sheet, row, message)])


# --- Writing


def _texts(prefix, value):
    return {f"{prefix}::{name}": (value or {}).get(code) for code, name in LANGUAGES}


def _yes_no(value):
    if value is None:
        return None
    return "yes" if value else "no"


def _expression_columns(expression, names, column, ext_column):
    """An expression in XLSForm's column as XPath when it translates one to one (and back),
    else in our column as CEL."""
    if not expression:
        return {}
    xpath = cel_to_xpath(expression, names)
    return {column: xpath} if xpath is not None else {ext_column: expression}


_QUESTION_TYPE = {
    "integer": ("integer", None),
    "decimal": ("decimal", None),
    "percentage": ("decimal", "percentage"),
    "text": ("text", None),
    "long_text": ("text", None),
    "email": ("text", "email"),
    "date": ("date", None),
}


def _question_row(q, names):
    kind = q["type"]
    if kind == "single_choice":
        xls_type, ext_type = f"select_one {q['key']}", None
    elif kind == "multiple_choice":
        xls_type, ext_type = f"select_multiple {q['key']}", None
    elif kind == "yes_no":
        xls_type, ext_type = f"select_one {YES_NO_LIST}", "yes_no"
    else:
        xls_type, ext_type = _QUESTION_TYPE[kind]
    row = {
        "type": xls_type,
        "name": q["key"],
        **_texts("label", q["label"]),
        **_texts("hint", q.get("help")),
        "appearance": "multiline" if kind == "long_text" else None,
        f"{EXT}::type": ext_type,
        **_texts(f"{EXT}::unit", q.get("unit")),
        f"{EXT}::min": q.get("min"),
        f"{EXT}::max": q.get("max"),
        f"{EXT}::max_length": q.get("max_length"),
        **_expression_columns(q.get("relevant_when"), names, "relevant", f"{EXT}::relevant_when"),
    }
    if "required" in q:
        row["required"] = _yes_no(q["required"])
        if q.get("required_when"):
            row[f"{EXT}::required_when"] = q["required_when"]
    else:
        row.update(
            _expression_columns(q.get("required_when"), names, "required", f"{EXT}::required_when")
        )
    return row


def _survey_rows(content, names):
    rows, used = [], set(names)
    sections = {s["key"]: s for s in content.get("sections", [])}
    entries = content.get("entries")
    if entries is not None:
        rows.append(
            {
                "type": "begin_repeat",
                "name": ENTRIES_NAME,
                **_texts("label", entries.get("label")),
                **_texts(f"{EXT}::label_plural", entries.get("label_plural")),
                f"{EXT}::allow_nothing_to_report": _yes_no(entries.get("allow_nothing_to_report")),
                f"{EXT}::min": entries.get("min"),
                f"{EXT}::max": entries.get("max"),
            }
        )
    current = None
    for q in content["questions"]:
        section = q.get("section")
        if section != current:
            if current is not None:
                rows.append({"type": "end_group"})
            if section is not None:
                s = sections[section]
                rows.append(
                    {
                        "type": "begin_group",
                        "name": section,
                        **_texts("label", s["title"]),
                        **_expression_columns(
                            s.get("relevant_when"), names, "relevant", f"{EXT}::relevant_when"
                        ),
                    }
                )
                if s.get("description"):
                    note = f"{section}_description"
                    while note in used:
                        note += "_"
                    used.add(note)
                    rows.append({"type": "note", "name": note, **_texts("label", s["description"])})
            current = section
        rows.append(_question_row(q, names))
    if current is not None:
        rows.append({"type": "end_group"})
    if entries is not None:
        rows.append({"type": "end_repeat"})
    for d in content.get("derived", []):
        rows.append(
            {
                "type": "calculate",
                "name": d["key"],
                **_texts("label", d["label"]),
                **_expression_columns(d["expression"], names, "calculation", f"{EXT}::expression"),
                f"{EXT}::type": d.get("type"),
            }
        )
    return rows


def _choice_rows(content):
    rows = []
    for q in content["questions"]:
        for c in q.get("choices", []):
            rows.append({"list_name": q["key"], "name": c["value"], **_texts("label", c["label"])})
    if any(q["type"] == "yes_no" for q in content["questions"]):
        rows.append({"list_name": YES_NO_LIST, "name": "yes", "label::Dansk (da)": "Ja"})
        rows[-1]["label::English (en)"] = "Yes"
        rows.append({"list_name": YES_NO_LIST, "name": "no", "label::Dansk (da)": "Nej"})
        rows[-1]["label::English (en)"] = "No"
    return rows


def _words(values):
    return " ".join(str(v) for v in values) if values else None


def _column_kind(prop):
    """How a property of an extension sheet's item is written in cells: `text` ({"da", "en"}
    in `name::Dansk (da)` columns), `words` / `numbers` (a list, separated by spaces), `number`,
    `boolean` (yes/no) or `str`."""
    if prop.get("type") == "object" and set(prop.get("properties", {})) == {"da", "en"}:
        return "text"
    if prop.get("type") == "array":
        return (
            "numbers" if (prop.get("items") or {}).get("type") in ("number", "integer") else "words"
        )
    if prop.get("type") in ("number", "integer"):
        return prop["type"]
    if prop.get("type") == "boolean":
        return "boolean"
    return "str"


def _sheet_columns(sheet):
    """(property, kind) of an extension sheet, in the schema's order."""
    items = DEFINITION_SCHEMA["properties"][sheet]["items"]["properties"]
    return [(name, _column_kind(prop)) for name, prop in items.items()]


def _extension_row(item, columns):
    row = {}
    for name, kind in columns:
        value = item.get(name)
        if kind == "text":
            row.update(_texts(name, value))
        elif kind in ("words", "numbers"):
            row[name] = _words(value)
        elif kind == "boolean":
            row[name] = _yes_no(value)
        else:
            row[name] = value
    return row


def _extension_rows(content):
    return {
        sheet: [_extension_row(item, _sheet_columns(sheet)) for item in content.get(sheet, [])]
        for sheet in EXTENSION_SHEETS
    }


def _table(rows, always=()):
    """Rows with one set of columns (the union, in first-seen order), columns that are empty
    throughout left out except `always`; a header-only sheet gets one empty row."""
    columns = list(always)
    for row in rows:
        for key, value in row.items():
            if key not in columns and value not in (None, ""):
                columns.append(key)
    if not rows:
        return [dict.fromkeys(columns)]
    return [{c: row.get(c) for c in columns} for row in rows]


def definition_to_xlsform(content: dict, *, version: int | None = None) -> bytes:
    """The XLSX bytes of a (valid) definition as XLSForm."""
    # The names an XPath twin may use. Not a yes/no question: ODK holds it as the text "yes" or
    # "no", and XPath's `${x} = true()` holds for both, so such an expression stays CEL.
    names = {q["key"] for q in content["questions"] if q["type"] != "yes_no"} | {
        d["key"] for d in content.get("derived", [])
    }
    if content.get("entries") is not None:
        names.add(ENTRIES_NAME)
    settings = {
        "form_title": content["title"]["da"],
        "form_id": content["key"],
        "version": str(version) if version else None,
        "default_language": LANGUAGES[0][1],
        f"{EXT}::register": content.get("register"),
        f"{EXT}::title::English (en)": content["title"].get("en"),
        **_texts(f"{EXT}::description", content.get("description")),
        # Lists the survey sheet cannot show as present but empty (a builder draft can have
        # them): named so the definition read back is the same.
        f"{EXT}::empty": _words([k for k in EMPTY_LISTS if content.get(k) == []]),
    }
    label_columns = [f"label::{name}" for _code, name in LANGUAGES]
    sheets = [
        ("survey", _table(_survey_rows(content, names), ["type", "name", *label_columns])),
        ("choices", _table(_choice_rows(content), ["list_name", "name", *label_columns])),
        ("settings", _table([settings], ["form_title", "form_id"])),
    ]
    for sheet, rows in _extension_rows(content).items():
        if sheet in content:
            sheets.append((sheet, _table(rows, ["key"])))
    out = io.BytesIO()
    write_worksheets(sheets, out, freeze_panes={"general": {"row": 1, "col": 0}})
    return out.getvalue()


# --- Reading: the file


def _check_file(data: bytes):
    if not isinstance(data, bytes | bytearray):
        _refuse(_("Vælg en XLSForm-fil (.xlsx)."))
    if len(data) > MAX_FILE_BYTES:
        _refuse(
            _("Filen er for stor (%(size)s MB); en XLSForm må højst fylde %(max)s MB.")
            % {"size": round(len(data) / 1_000_000, 1), "max": MAX_FILE_BYTES // 1_000_000}
        )
    if not data:
        _refuse(_("Filen er tom."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        _refuse(_("Filen er ikke en XLSX-fil (Excel 2007 eller nyere). Gem den som .xlsx."))
    if len(parts) > MAX_ZIP_PARTS or sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        _refuse(
            _("Filen fylder for meget pakket ud (højst %(max)s MB); den kan ikke læses.")
            % {"max": MAX_UNPACKED_BYTES // 1_000_000}
        )


def _cell_str(cell, _row_n=None, _key=None):
    value = cell.value
    if isinstance(value, str):
        value = value.strip()
    return None if value in (None, "") else xlsx_value_to_str(value)


def _read_workbook(data):
    """Formulas refused; the sheet names (lower case) and our own sheets as rows of strings,
    read with pyxform's row reader. pyxform reads the XLSForm sheets itself."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file
        _refuse(_("Filen kan ikke læses som et Excel-regneark (.xlsx)."))
    try:
        sheets = {name.lower(): book[name] for name in book.sheetnames}
        problems, extension = [], {}
        for name in READ_SHEETS + UNSUPPORTED_SHEETS:
            sheet = sheets.get(name)
            if sheet is None:
                continue
            for n, row in enumerate(sheet.iter_rows()):
                limit = MAX_CHOICE_ROWS if name == "choices" else MAX_ROWS
                if n >= limit:
                    _refuse(_("Arket har over %(max)s rækker.") % {"max": limit}, name)
                if name in UNSUPPORTED_SHEETS and any(c.value not in (None, "") for c in row):
                    _refuse(
                        _("Arket kan ikke bruges i Indberet; fjern det eller tøm det."),
                        name,
                        n + 1,
                    )
                for cell in row:
                    if getattr(cell, "data_type", None) == "f":
                        problems.append(
                            Problem(
                                name,
                                cell.row,
                                _(
                                    "Cellen %(cell)s indeholder en formel. Skriv værdien i "
                                    "stedet (formler læses ikke)."
                                )
                                % {"cell": cell.coordinate},
                            )
                        )
            if name in EXTENSION_SHEETS:
                headers = get_excel_column_headers(c.value for c in next(sheet.rows, []))
                rows = sheet.iter_rows(min_row=2, max_col=len(headers))
                extension[name] = get_excel_rows(headers=headers, rows=rows, cell_func=_cell_str)
        if problems:
            raise XLSFormError(problems)
        return set(sheets), extension
    except XLSFormError:
        raise
    except PyXFormError as exc:
        _refuse(str(exc))
    except Exception:  # a damaged sheet inside a readable zip (bad XML, odd compression, …)
        _refuse(_("Filen kan ikke læses som et Excel-regneark (.xlsx)."))
    finally:
        book.close()


# --- Reading: the form


class _Reader:
    """Maps pyxform's JSON of a form to a definition, collecting every problem with its row."""

    def __init__(self, form, raw):
        self.form = form
        self.problems = []
        self.rows = {}  # name → row number on the survey sheet
        for i, row in enumerate(raw.survey or []):
            if row.get("name"):
                self.rows.setdefault(row["name"], i + 2)
        self.raw = raw

    def problem(self, message, name=None, sheet="survey", row=None):
        self.problems.append(Problem(sheet, row or self.rows.get(name), message))

    def text(self, value, name, column):
        """{"da": …, "en": …} of a label/hint: pyxform gives a str (one language) or a dict
        by language name ("Dansk (da)"); only Danish and English are taken."""
        if value in (None, "", {}):
            return None
        if isinstance(value, str):
            return {"da": value}
        out = {}
        for language, text in value.items():
            match = re.search(r"\((\w+)\)\s*$", language)
            code = match.group(1).lower() if match else ("da" if language == "default" else None)
            if code not in ("da", "en"):
                self.problem(
                    _(
                        "Sproget »%(language)s« i kolonnen %(column)s kendes ikke; brug "
                        "»Dansk (da)« og »English (en)«."
                    )
                    % {"language": language, "column": column},
                    name,
                )
                continue
            if text not in (None, ""):
                out[code] = text
        if out and "da" not in out:
            self.problem(
                _("Kolonnen %(column)s mangler en dansk tekst.") % {"column": column}, name
            )
        return out or None

    def cel(self, expression, name, column, current=None):
        try:
            return xpath_to_cel(expression, current=current)
        except Untranslatable as exc:
            self.problem(
                _(  # xgettext:no-python-brace-format ("${navn}" is XLSForm's, not a placeholder)
                    "Udtrykket i kolonnen %(column)s kan ikke oversættes: »%(part)s« (kun ${navn}, "
                    "and, or, not(), =, !=, <, >, +, -, *, div, mod og count() kan bruges)."
                )
                % {"column": column, "part": exc.part},
                name,
            )
            return None

    def number(self, value, name, column, sheet="survey", row=None, integer=False):
        if value in (None, ""):
            return None
        text = str(value).strip()
        try:
            return int(text)
        except ValueError:
            pass
        if not integer:
            try:
                number = float(text)
                if number == number and number not in (float("inf"), float("-inf")):
                    return number
            except ValueError:
                pass
        self.problem(
            _("Kolonnen %(column)s skal være et tal, ikke »%(value)s«.")
            % {"column": column, "value": text[:40]},
            name,
            sheet,
            row,
        )
        return None

    def boolean(self, value, name, column, sheet="survey", row=None):
        text = str(value).strip().lower()
        if text in ("yes", "true", "true()", "1", "ja"):
            return True
        if text in ("no", "false", "false()", "0", "nej"):
            return False
        self.problem(
            _("Kolonnen %(column)s skal være yes eller no, ikke »%(value)s«.")
            % {"column": column, "value": text[:40]},
            name,
            sheet,
            row,
        )
        return None


_ALLOWED_KEYS = {"type", "name", "label", "hint", "bind", "control", EXT, "children"}
_EXT_COLUMNS = {
    "type",
    "unit",
    "min",
    "max",
    "max_length",
    "required_when",
    "relevant_when",
    "expression",
    "label_plural",
    "allow_nothing_to_report",
}
_ALLOWED_BIND = {"required", "relevant", "constraint", "jr:constraintMsg", "calculate"}
_CHOICE_KEYS = {"list_name", "itemset", "choices", "parameters"}
_BASIC_TYPES = {
    "integer": "integer",
    "decimal": "decimal",
    "text": "text",
    "date": "date",
    "select one": "single_choice",
    "select all that apply": "multiple_choice",
}
_EXT_TYPES = {  # our type named in indberet::type → the XLSForm types it may stand on
    "percentage": ("decimal",),
    "email": ("text",),
    "yes_no": ("select one",),
    "long_text": ("text",),
}
_DERIVED_TYPES = ("decimal", "percentage", "integer")


class _FormMapper(_Reader):
    def __init__(self, form, raw, key):
        super().__init__(form, raw)
        self.key = key
        self.questions, self.sections, self.derived, self.rules = [], [], [], []
        self.entries = None
        self.seen = {}
        self.outside = []  # questions not inside a repeat

    def unique(self, name):
        if name in self.seen:
            self.problem(
                _(
                    "Navnet »%(name)s« er brugt før (række %(row)s); hvert navn må kun bruges én "
                    "gang i hele skemaet."
                )
                % {"name": name, "row": self.seen[name]},
                name,
                row=self._nth_row(name, 2),
            )
        else:
            self.seen[name] = self.rows.get(name)

    def _nth_row(self, name, n):
        count = 0
        for i, row in enumerate(self.raw.survey or []):
            if row.get("name") == name:
                count += 1
                if count == n:
                    return i + 2
        return None

    def walk(self, children, section=None, in_repeat=False, top=True):
        for element in children:
            kind, name = element.get("type"), element.get("name")
            if top and name == "meta" and (element.get("control") or {}).get("bodyless"):
                continue  # pyxform's own hidden instanceID group, not in the sheet
            if kind == "repeat":
                self.repeat(element, section, in_repeat, top)
            elif kind == "group":
                self.group(element, section, in_repeat)
            elif kind == "calculate":
                self.calculate(element)
            elif kind == "note":
                self.problem(
                    _("En note kan kun stå først i en gruppe (som gruppens beskrivelse)."), name
                )
            else:
                self.question(element, section)
                if not in_repeat:
                    self.outside.append(element.get("name"))

    def repeat(self, element, section, in_repeat, top):
        name = element.get("name")
        self.unique(name)
        if in_repeat or not top or section is not None or self.entries is not None:
            self.problem(
                _(
                    "Kun én gentagelse (begin_repeat) om alle spørgsmål kan bruges: den bliver "
                    "til poster."
                ),
                name,
            )
            return
        ext = element.get(EXT) or {}
        entries = {}
        label = self.text(element.get("label"), name, "label")
        if label:
            entries["label"] = label
        plural = self.text(ext.get("label_plural"), name, f"{EXT}::label_plural")
        if plural:
            entries["label_plural"] = plural
        if ext.get("allow_nothing_to_report") not in (None, ""):
            entries["allow_nothing_to_report"] = self.boolean(
                ext["allow_nothing_to_report"], name, f"{EXT}::allow_nothing_to_report"
            )
        for part in ("min", "max"):
            value = self.number(ext.get(part), name, f"{EXT}::{part}", integer=True)
            if value is not None:
                entries[part] = value
        self.check_keys(element, _ALLOWED_KEYS - {"hint"}, name, bind_allowed=set())
        self.entries = entries
        self.walk(element.get("children", []), None, True, top=False)

    def group(self, element, section, in_repeat):
        name = element.get("name")
        self.unique(name)
        if section is not None:
            self.problem(
                _("En gruppe inde i en gruppe kan ikke bruges; brug én gruppe pr. afsnit."), name
            )
            return
        title = self.text(element.get("label"), name, "label")
        sec = {"key": name, "title": title or {}}
        if not title:
            self.problem(_("Gruppen mangler en overskrift i label (på dansk)."), name)
        children = list(element.get("children", []))
        if children and children[0].get("type") == "note":
            note = children.pop(0)
            self.unique(note.get("name"))
            self.check_keys(note, _ALLOWED_KEYS - {"hint"}, note.get("name"), bind_allowed=set())
            description = self.text(note.get("label"), note.get("name"), "label")
            if description:
                sec["description"] = description
        bind = element.get("bind") or {}
        ext = element.get(EXT) or {}
        if bind.get("relevant"):
            sec["relevant_when"] = self.cel(bind["relevant"], name, "relevant")
        elif ext.get("relevant_when"):
            sec["relevant_when"] = ext["relevant_when"]
        self.check_keys(element, _ALLOWED_KEYS - {"hint"}, name, bind_allowed={"relevant"})
        self.sections.append((sec, self.rows.get(name)))
        self.walk(children, name, in_repeat, top=False)

    def calculate(self, element):
        name = element.get("name")
        self.unique(name)
        ext = element.get(EXT) or {}
        bind = element.get("bind") or {}
        expression = ext.get("expression")
        if bind.get("calculate"):
            expression = self.cel(bind["calculate"], name, "calculation")
        derived = {
            "key": name,
            "expression": expression,
            "label": self.text(element.get("label"), name, "label") or {"da": name},
        }
        if ext.get("type") not in (None, ""):
            if ext["type"] not in _DERIVED_TYPES:
                self.problem(
                    _("%(column)s for en beregning skal være decimal, percentage eller integer.")
                    % {"column": f"{EXT}::type"},
                    name,
                )
            derived["type"] = ext["type"]
        self.check_keys(element, _ALLOWED_KEYS - {"hint"}, name, bind_allowed={"calculate"})
        self.derived.append((derived, self.rows.get(name)))

    def check_keys(self, element, allowed, name, bind_allowed=_ALLOWED_BIND):
        """Refuse what the row says that a definition would lose: another column, a bind
        attribute, one of our own columns that does not exist. Kobo's bookkeeping columns
        (`$kuid`, …) and `appearance` (ODK's display) are left alone."""
        control = {k: v for k, v in (element.get("control") or {}).items() if k != "appearance"}
        extra = [
            k
            for k, v in {**element, "control": control}.items()
            if k not in allowed and not k.startswith("$") and v not in (None, "", {}, [])
        ]
        extra += [k for k, v in (element.get("bind") or {}).items() if k not in bind_allowed and v]
        extra += [f"{EXT}::{k}" for k in (element.get(EXT) or {}) if k not in _EXT_COLUMNS]
        for key in extra:
            self.problem(
                _("Kolonnen »%(column)s« kan ikke bruges her (den ville gå tabt).")
                % {"column": key},
                name,
            )

    def question(self, element, section):
        name = element.get("name")
        self.unique(name)
        kind = element.get("type")
        ext = element.get(EXT) or {}
        ext_type = ext.get("type") or None
        appearance = ((element.get("control") or {}).get("appearance") or "").split()
        our = _BASIC_TYPES.get(kind)
        if our is None:
            self.problem(
                _(
                    "Spørgsmålstypen »%(type)s« kan ikke bruges. Brug integer, decimal, text, "
                    "select_one, select_multiple, date, note eller calculate."
                )
                % {"type": kind},
                name,
            )
            return
        if ext_type:
            if kind not in _EXT_TYPES.get(ext_type, ()):
                self.problem(
                    _("%(column)s »%(value)s« passer ikke til typen »%(type)s«.")
                    % {"column": f"{EXT}::type", "value": ext_type, "type": kind},
                    name,
                )
                return
            our = ext_type
        elif kind == "text" and "multiline" in appearance:
            our = "long_text"
        q = {"key": name, "type": our}
        if section is not None:
            q["section"] = section
        q["label"] = self.text(element.get("label"), name, "label") or {}
        if not q["label"]:
            self.problem(_("Spørgsmålet mangler en tekst i label (på dansk)."), name)
        for column, target in (("hint", "help"),):
            value = self.text(element.get(column), name, column)
            if value:
                q[target] = value
        unit = self.text(ext.get("unit"), name, f"{EXT}::unit")
        if unit:
            q["unit"] = unit
        bind = element.get("bind") or {}
        required = bind.get("required")
        if required not in (None, ""):
            if str(required).strip().lower() in (
                "yes",
                "no",
                "true",
                "false",
                "true()",
                "false()",
                "1",
                "0",
            ):
                q["required"] = self.boolean(required, name, "required")
            else:
                q["required_when"] = self.cel(required, name, "required")
        if ext.get("required_when"):
            q["required_when"] = ext["required_when"]
        if bind.get("relevant"):
            q["relevant_when"] = self.cel(bind["relevant"], name, "relevant")
        elif ext.get("relevant_when"):
            q["relevant_when"] = ext["relevant_when"]
        for part in ("min", "max"):
            value = self.number(ext.get(part), name, f"{EXT}::{part}")
            if value is not None:
                q[part] = value
        max_length = self.number(ext.get("max_length"), name, f"{EXT}::max_length", integer=True)
        if max_length is not None:
            q["max_length"] = max_length
        if len(element.get("choices") or []) > MAX_CHOICES:
            self.problem(
                _(
                    "Listen »%(list)s« har %(n)s valgmuligheder; et spørgsmål kan have højst "
                    "%(max)s."
                )
                % {
                    "list": element.get("list_name") or name,
                    "n": len(element["choices"]),
                    "max": MAX_CHOICES,
                },
                name,
            )
            return
        if our in ("single_choice", "multiple_choice"):
            q["choices"] = [
                {"value": c.get("name"), "label": self.text(c.get("label"), name, "label") or {}}
                for c in element.get("choices") or []
            ]
            for c in element.get("choices") or []:
                extra = [
                    k
                    for k, v in c.items()
                    if k not in ("name", "label") and not k.startswith("$") and v
                ]
                for column in extra:
                    self.problem(
                        _("Kolonnen »%(column)s« kan ikke bruges her (den ville gå tabt).")
                        % {"column": column},
                        sheet="choices",
                    )
        if bind.get("constraint"):
            expression = self.cel(bind["constraint"], name, "constraint", current=name)
            message = self.text(bind.get("jr:constraintMsg"), name, "constraint_message") or {
                "da": "Svaret opfylder ikke betingelsen.",
                "en": "The answer does not meet the condition.",
            }
            self.rules.append(
                {
                    "key": f"{name}_constraint",
                    "expression": expression,
                    "severity": "error",
                    "fields": [name],
                    "message": message,
                }
            )
        allowed = _ALLOWED_KEYS | (_CHOICE_KEYS if kind.startswith("select") else set())
        self.check_keys(element, allowed, name)
        self.questions.append((q, self.rows.get(name)))


def _sheet_texts(mapper, row, prefix, sheet, n):
    out = {}
    for key, value in row.items():
        if key == prefix:
            out["da"] = value
        elif key.startswith(prefix + "::"):
            language = key.split("::", 1)[1]
            match = re.search(r"\((\w+)\)\s*$", language)
            code = match.group(1).lower() if match else None
            if code not in ("da", "en"):
                mapper.problem(
                    _(
                        "Sproget »%(language)s« i kolonnen %(column)s kendes ikke; brug "
                        "»Dansk (da)« og »English (en)«."
                    )
                    % {"language": language, "column": key},
                    sheet=sheet,
                    row=n,
                )
                continue
            out[code] = value
    return out or None


def _extension_item(mapper, row, sheet, n):
    """One row of an extension sheet as the item of the definition."""
    columns = _sheet_columns(sheet)
    known = {name for name, _kind in columns}
    for column in row:
        if column.split("::", 1)[0] not in known and not column.startswith("$"):
            mapper.problem(
                _("Kolonnen »%(column)s« kan ikke bruges her (den ville gå tabt).")
                % {"column": column},
                sheet=sheet,
                row=n,
            )
    item = {}
    for name, kind in columns:
        if kind == "text":
            value = _sheet_texts(mapper, row, name, sheet, n)
        elif row.get(name) in (None, ""):
            value = None
        elif kind == "words":
            value = row[name].split()
        elif kind == "numbers":
            value = [mapper.number(v, None, name, sheet, n) for v in row[name].split()]
        elif kind in ("number", "integer"):
            value = mapper.number(row[name], None, name, sheet, n, integer=kind == "integer")
        elif kind == "boolean":
            value = mapper.boolean(row[name], None, name, sheet=sheet, row=n)
        else:
            value = row[name]
        if value is not None:
            item[name] = value
    return item


def _read_extensions(mapper, sheets):
    """{sheet: [(item, row number)]} of the extension sheets the file has."""
    content = {}
    for sheet in EXTENSION_SHEETS:
        rows = sheets.get(sheet)
        if rows is None:
            continue
        content[sheet] = [
            (_extension_item(mapper, row, sheet, i + 2), i + 2) for i, row in enumerate(rows) if row
        ]
    return content


_PATH = re.compile(r"^(\w+)\[(\d+)\]")
_PYXFORM_ROW = re.compile(r"^\[row : (\d+)\]\s*")


def xlsform_to_definition(data: bytes, *, key: str | None = None) -> dict:
    """The definition in an XLSForm file, checked (surveys.definitions.validate_definition).
    `key`: the survey it must be a version of (the file's form_id must match; a file without
    form_id takes it). Raises XLSFormError naming sheet and row of every problem."""
    _check_file(data)
    sheet_names, extension = _read_workbook(data)
    if "survey" not in sheet_names:
        _refuse(_("Arket »survey« mangler; det skal indeholde spørgsmålene."))
    if "settings" not in sheet_names:
        _refuse(_("Arket »settings« mangler; det skal have form_title og form_id."))
    try:
        raw = get_xlsform(bytes(data), file_type=".xlsx")
        if "choices" not in sheet_names and any(
            str(r.get("type", "")).startswith("select") for r in raw.survey or []
        ):
            _refuse(_("Arket »choices« mangler; det skal indeholde valgmulighederne."))
        form = workbook_to_json(raw, warnings=[])
    except PyXFormError as exc:
        detail = str(exc)[:500]
        match = _PYXFORM_ROW.match(detail)
        _refuse(
            _("XLSForm-filen er ikke gyldig: %(detail)s")
            % {"detail": detail[match.end() :] if match else detail},
            "survey" if match else None,
            int(match.group(1)) if match else None,
        )
    except XLSFormError:
        raise
    except Exception:  # pyxform on a file it cannot make sense of
        _refuse(_("Filen kan ikke læses som XLSForm."))

    settings = (raw.settings or [{}])[0] if raw.settings else {}
    mapper = _FormMapper(form, raw, key)
    form_id = settings.get("form_id")
    if key and form_id and form_id != key:
        mapper.problem(
            _("form_id er »%(form_id)s«, men filen skal være en version af »%(key)s«.")
            % {"form_id": form_id, "key": key},
            sheet="settings",
            row=2,
        )
    if not form_id and not key:
        mapper.problem(
            _("form_id skal udfyldes (undersøgelsens nøgle, fx erhvervsskoler)."),
            sheet="settings",
            row=2,
        )
    if not settings.get("form_title"):
        mapper.problem(_("form_title skal udfyldes (skemaets titel)."), sheet="settings", row=2)
    mapper.walk(form.get("children", []))
    if mapper.entries is not None and mapper.outside:
        mapper.problem(
            _(
                "Alle spørgsmål skal stå i gentagelsen (begin_repeat), ellers kan den ikke "
                "blive til poster."
            ),
            mapper.outside[0],
        )
    extensions = _read_extensions(mapper, extension)
    if len(mapper.questions) > MAX_QUESTIONS:
        mapper.problem(
            _("Skemaet har %(n)s spørgsmål; højst %(max)s.")
            % {"n": len(mapper.questions), "max": MAX_QUESTIONS},
            row=mapper.questions[MAX_QUESTIONS][1],
        )
    if not mapper.questions and not mapper.problems:
        mapper.problem(_("Skemaet har ingen spørgsmål."), row=None)
    if mapper.problems:
        raise XLSFormError(mapper.problems)

    content = {"key": form_id or key, "title": {"da": settings.get("form_title")}}
    ext_settings = form.get(EXT) or {}
    title_en = (ext_settings.get("title") or {}).get("English (en)")
    if title_en:
        content["title"]["en"] = title_en
    if ext_settings.get("register"):
        content["register"] = str(ext_settings["register"])
    description = mapper.text(ext_settings.get("description"), None, f"{EXT}::description")
    if description:
        content["description"] = description
    if mapper.entries is not None:
        content["entries"] = mapper.entries
    empty = str(ext_settings.get("empty") or "").split()
    for word in empty:
        if word not in EMPTY_LISTS:
            mapper.problem(
                _("%(column)s kan kun nævne %(names)s.")
                % {"column": f"{EXT}::empty", "names": ", ".join(EMPTY_LISTS)},
                sheet="settings",
                row=2,
            )
            raise XLSFormError(mapper.problems)
        content[word] = []
    if mapper.sections:
        content["sections"] = [s for s, _row in mapper.sections]
    content["questions"] = [q for q, _row in mapper.questions]
    rows = {
        "questions": [("survey", row) for _q, row in mapper.questions],
        "sections": [("survey", row) for _s, row in mapper.sections],
        "derived": [("survey", row) for _d, row in mapper.derived],
    }
    if mapper.derived:
        content["derived"] = [d for d, _row in mapper.derived]
    rules = [(r, ("rules", n)) for r, n in extensions.get("rules", [])]
    rules += [(r, ("survey", mapper.rows.get(r["fields"][0]))) for r in mapper.rules]
    if "rules" in extensions or rules:
        content["rules"] = [r for r, _where in rules]
        rows["rules"] = [where for _r, where in rules]
    for part in EXTENSION_SHEETS:
        if part in extensions and part != "rules":
            content[part] = [item for item, _n in extensions[part]]
            rows[part] = [(part, n) for _item, n in extensions[part]]
    try:
        validate_definition(content)
    except DefinitionError as exc:
        sheet, row = "survey", None
        match = _PATH.match(exc.path or "")
        if match and match.group(1) in rows and int(match.group(2)) < len(rows[match.group(1)]):
            sheet, row = rows[match.group(1)][int(match.group(2))]
        detail = (str(exc.args[0]) if exc.args else str(exc))[:300]
        _refuse(
            _("%(detail)s (i definitionen: %(path)s)") % {"detail": detail, "path": exc.path},
            sheet if row else None,
            row,
        )
    return content
