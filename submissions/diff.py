"""A readable difference between two revisions of a submission, for the history page.

Flat surveys compare question by question; entries surveys compare entry by entry (by
position), reporting added and removed entries; warning explanations are compared too.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.utils.translation import gettext as _

from submissions.forms import entry_title, readable_value
from surveys.definitions import text

# Saves by the same person closer together than this are one editing session on the page
# (autosave writes one every few seconds); every save is still its own revision.
SESSION_GAP = dt.timedelta(minutes=30)
SESSIONS_PER_PAGE = 20


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


def explanation_label(spec, key, language=None):
    """ "Forklaring til advarslen om <question>" for an explanation key (`share_high`, or
    `share_high@2` for entry 2): the question the warning is about, never the internal key."""
    from django.utils.translation import gettext as _

    base, _sep, entry = key.partition("@")
    question = None
    for rule in spec.rules:
        if rule.key == base and rule.fields:
            question = spec.question(rule.fields[0])
    for check in spec.history_checks:
        if check.key == base:
            question = spec.question(check.question)
    if question is None:
        label = _("Forklaring til en advarsel")
    else:
        label = _("Forklaring til advarslen om %(question)s") % {
            "question": text(question.label, language)
        }
    if entry.isdigit():
        entry_label = text((spec.entries or {}).get("label"), language) or _("Post")
        label = f"{entry_label} {entry} · {label}"
    return label


def key_label(spec, key, language=None):
    """A revision's changed key (`pupils_8_9`, `explanation:share_high`, `entries`) in words."""
    from django.utils.translation import gettext as _

    if key.startswith("explanation:"):
        return explanation_label(spec, key.split(":", 1)[1], language)
    question = spec.question(key)
    if question is not None:
        return text(question.label, language)
    if key == "entries":
        return text((spec.entries or {}).get("label_plural"), language) or _("Poster")
    if key == "nothing_to_report":
        return _("Intet at indberette")
    return key


def diff_explanations(old, new, spec=None, language=None):
    changes = []
    for key in sorted(set(old or {}) | set(new or {})):
        a, b = (old or {}).get(key, ""), (new or {}).get(key, "")
        if a != b:
            label = explanation_label(spec, key, language) if spec else key
            changes.append(Change(label, a or "—", b or "—"))
    return changes


def history(spec, revisions, language=None):
    """Revisions (oldest first in, newest first out), each with its changes since the one
    before it."""
    out = []
    previous_answers, previous_expl = {}, {}
    for revision in revisions:
        changes = diff_answers(spec, previous_answers, revision.answers, language)
        changes += diff_explanations(previous_expl, revision.explanations, spec, language)
        out.append(HistoryEntry(revision, changes))
        previous_answers, previous_expl = revision.answers, revision.explanations
    out.reverse()
    return out


@dataclass
class Session:
    """One line of the history page: an editing session (consecutive saves by one person,
    none more than SESSION_GAP apart) or a single submit/reopen/return/accept."""

    revisions: list  # oldest first; metadata only (answers are loaded for the page's sessions)
    changes: list = field(default_factory=list)
    saves: list = field(default_factory=list)  # (revision, [labels of what changed]), newest first

    @property
    def first(self):
        return self.revisions[0]

    @property
    def last(self):
        return self.revisions[-1]

    @property
    def count(self):
        return len(self.revisions)


def _same_session(a, b):
    return (
        a.action == b.action == "save"
        and a.author_id == b.author_id
        and a.on_behalf == b.on_behalf
        and not a.note  # an imported row or its undo says where it came from: its own entry
        and not b.note
        and b.created_at - a.created_at <= SESSION_GAP
    )


def sessions(revisions):
    """Revisions (oldest first) grouped into sessions (oldest first)."""
    out = []
    for revision in revisions:
        if out and _same_session(out[-1].last, revision):
            out[-1].revisions.append(revision)
        else:
            out.append(Session([revision]))
    return out


def history_page(submission, spec, *, page=1, language=None):
    """One page of a submission's history, newest session first. Only the revisions' metadata
    is read for all of them; answers are loaded for the sessions on this page alone, so a
    submission saved thousands of times still opens quickly."""
    from submissions.models import Revision

    metas = list(
        submission.revisions.order_by("number")
        .select_related("author")
        .defer("answers", "explanations")
    )
    grouped = sessions(metas)
    grouped.reverse()
    paginator = Paginator(grouped, SESSIONS_PER_PAGE)
    current = paginator.get_page(page)
    before = {}  # number of a session's first revision -> number of the revision before it
    for i, meta in enumerate(metas[1:], start=1):
        before[meta.number] = metas[i - 1].number
    needed = set()
    for session in current:
        needed.add(session.last.number)
        if session.first.number in before:
            needed.add(before[session.first.number])
    documents = {
        r["number"]: r
        for r in Revision.objects.filter(submission=submission, number__in=needed).values(
            "number", "answers", "explanations"
        )
    }
    for session in current:
        old = documents.get(before.get(session.first.number), {})
        new = documents[session.last.number]
        session.changes = diff_answers(spec, old.get("answers"), new["answers"], language)
        session.changes += diff_explanations(
            old.get("explanations"), new["explanations"], spec, language
        )
        session.saves = [
            (r, [key_label(spec, k, language) for k in r.changed_keys or []])
            for r in reversed(session.revisions)
        ]
    return current, len(metas)
