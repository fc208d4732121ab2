"""Formula safety: the one rule for text that may be opened in a spreadsheet.

Every text cell that begins with `=`, `+`, `-`, `@` (and `|`, `%`, as defusedcsv does), tab or
carriage return is prefixed with `'` so a spreadsheet shows it as text. Exports, the
non-responder lists and the audit-log download all pass their cells through `safe_text`."""

import re

from defusedcsv import csv as defused
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = frozenset("=+-@|%")
# defusedcsv leaves numbers alone (re.match: `$` also matches before a final newline).
NUMBER = re.compile(r"^-?[0-9,\.]+$")


def safe_text(value):
    """Neutralise a text cell against spreadsheet formula injection (defusedcsv's rule plus
    tab and carriage return, which defusedcsv leaves alone)."""
    if type(value) is not str:
        if isinstance(value, str) and value[:1] in ("\t", "\r"):
            return "'" + value
        return defused._escape(value)
    first = value[:1]
    if first in FORMULA_START:
        if NUMBER.match(value):
            return value
        return "'" + value.replace("|", "\\|")
    if first == "\t" or first == "\r":
        return "'" + value
    return value


def spreadsheet_text(value):
    """A text cell made safe for a spreadsheet, in the one right order: first remove the
    control characters a spreadsheet cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE), then
    neutralise a formula (`safe_text`). The other order let "\x01=HYPERLINK(…)" through as a
    live formula once the \x01 was gone."""
    return safe_text(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def read_text(value):
    """The inverse of `safe_text` for text read back from a file (an export imported into
    another round): `'=A1` → `=A1`, `'+45 1234` → `+45 1234`. Text is only ever stored, never
    evaluated, so nothing here makes a formula live; the export neutralises it again."""
    if type(value) is not str or value[:1] != "'" or len(value) < 2:
        return value
    rest = value[1:]
    first = rest[:1]
    if first in FORMULA_START:
        return rest.replace("\\|", "|")
    if first in ("\t", "\r"):
        return rest
    return value
