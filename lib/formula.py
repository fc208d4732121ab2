"""Formula safety: the one rule for text that may be opened in a spreadsheet.

Every text cell that begins with `=`, `+`, `-`, `@` (and `|`, `%`, as defusedcsv does), tab or
carriage return is prefixed with `'` so a spreadsheet shows it as text. Exports, the
non-responder lists and the audit-log download all pass their cells through `safe_text`."""

import re

from defusedcsv import csv as defused

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
