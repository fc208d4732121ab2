"""A readable difference between two revisions of a submission, for the history page.

Flat surveys compare question by question; entries surveys compare entry by entry (by
position), reporting added and removed entries; warning explanations are compared too.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from submissions.forms import entry_title, readable_value
from surveys.definitions import text


@dataclass
class Change:
    label: str
    before: str
    after: str
    kind: str = "changed"  # changed | added | removed


@dataclass
class HistoryEntry:
    revision: object
    changes: list = field(default_factory=list)


def _flat(spec, old, new, language, prefix=""):
    changes = []
    for q in spec.questions:
        a, b = old.get(q.key), new.get(q.key)
        if a in (None, "", []) and b in (None, "", []):
            continue
        if a != b:
            changes.append(
                Change(
                    prefix + text(q.label, language),
                    readable_value(q, a, language),
                    readable_value(q, b, language),
                )
            )
    return changes


def _entries(value):
    entries = value.get("entries") if isinstance(value, dict) else None
    return [e if isinstance(e, dict) else {} for e in entries] if isinstance(entries, list) else []


def diff_answers(spec, old, new, language=None):
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}
    if not spec.has_entries:
        return _flat(spec, old, new, language)
    changes = []
    a_entries, b_entries = _entries(old), _entries(new)
    for i in range(max(len(a_entries), len(b_entries))):
        if i >= len(a_entries):
            changes.append(
                Change(entry_title(spec, b_entries[i], i, language), "—", _("Tilføjet"), "added")
            )
        elif i >= len(b_entries):
            changes.append(
                Change(entry_title(spec, a_entries[i], i, language), _("Fjernet"), "—", "removed")
            )
        else:
            prefix = entry_title(spec, b_entries[i], i, language) + " · "
            changes += _flat(spec, a_entries[i], b_entries[i], language, prefix)
    a_nothing, b_nothing = bool(old.get("nothing_to_report")), bool(new.get("nothing_to_report"))
    if a_nothing != b_nothing:
        changes.append(
            Change(
                _("Intet at indberette"),
                _("Ja") if a_nothing else _("Nej"),
                _("Ja") if b_nothing else _("Nej"),
            )
        )
    return changes


def diff_explanations(old, new):
    changes = []
    for key in sorted(set(old or {}) | set(new or {})):
        a, b = (old or {}).get(key, ""), (new or {}).get(key, "")
        if a != b:
            changes.append(Change(_("Forklaring (%(key)s)") % {"key": key}, a or "—", b or "—"))
    return changes


def history(spec, revisions, language=None):
    """Revisions (oldest first in, newest first out), each with its changes since the one
    before it."""
    out = []
    previous_answers, previous_expl = {}, {}
    for revision in revisions:
        changes = diff_answers(spec, previous_answers, revision.answers, language)
        changes += diff_explanations(previous_expl, revision.explanations)
        out.append(HistoryEntry(revision, changes))
        previous_answers, previous_expl = revision.answers, revision.explanations
    out.reverse()
    return out
