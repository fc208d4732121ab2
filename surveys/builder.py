"""The survey builder: coordinators create surveys and edit a draft version of a definition,
then publish it as the next immutable version.

- Writes (`create_survey`, `open_draft`, `update_settings`, `put_item`, `remove_item`,
  `move_item`, `replace_draft_content`, `discard_draft`, `publish_draft`) are keyword-only,
  one transaction each with its audit row. Every draft edit names the draft `revision` it was
  made on; an edit on an older revision is refused with `BuilderError(code="stale")` (nothing
  overwritten) carrying the draft as it is now.
- A draft may be saved invalid. `draft_problems` says what is wrong, at the field that causes
  it (every expression compiled and trial-run, duplicate and reserved keys, circular derived
  values); it runs the very check an import runs (`surveys.definitions.validate_definition`),
  adding only a more precise message for derived values that depend on each other in a circle,
  and a draft with problems cannot be published.
- A published choice value keeps its meaning (`changed_meanings`, the one rule for the pages,
  the API, an XLSForm upload and publishing): a draft giving one another meaning is reported
  at the choice (`Problem.confirmable`), may be saved, and is published only when
  `publish_draft(confirm_changed_meaning=True)`.
- `describe_changes` says in words what a draft changes against the version before it.
"""

import copy
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import jsonschema
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import record
from accounts.models import User
from surveys.definitions import (
    DEFINITION_SCHEMA,
    KEY_PATTERN,
    NOT_BLANK,
    NUMERIC_TYPES,
    DefinitionError,
    text,
    validate_definition,
)
from surveys.models import Definition, DraftVersion, Survey
from surveys.relevance import names_in as _names_in

# The parts of a definition that are lists of items with a `key`, in the order the builder
# shows them. Item edits name one of these.
PARTS = ("sections", "questions", "derived", "rules", "history_checks", "indicators")
CHOICE_TYPES = ("single_choice", "multiple_choice")
# Parts whose keys others refer to: removing or renaming one still in use is refused.
USED_PARTS = ("sections", "questions", "derived")

MSG_STALE = gettext_lazy(
    "Kladden er ændret af %(who)s, siden du åbnede den. Dine ændringer er ikke gemt: "
    "sammenlign med det gemte nedenfor, og gem igen."
)
MSG_NO_DRAFT = gettext_lazy("Undersøgelsen har ingen kladde. Opret en kladde først.")
MSG_DRAFT_EXISTS = gettext_lazy("Undersøgelsen har allerede en kladde.")
MSG_KEY_TAKEN = gettext_lazy("Der findes allerede en undersøgelse med denne nøgle.")
MSG_KEY_FORMAT = gettext_lazy(
    "Nøglen skal bestå af små bogstaver (a–z), tal og _, begynde med et bogstav og være højst "
    "60 tegn."
)
MSG_REQUIRED = gettext_lazy("Skal udfyldes.")
MSG_UNCHANGED = gettext_lazy(
    "Kladden er magen til den udgivne version %(version)s. Der er intet at udgive."
)
MSG_NO_ITEM = gettext_lazy("Elementet findes ikke længere i kladden.")
MSG_ITEM_MOVED = gettext_lazy(
    "Et andet element står nu på denne plads i kladden (nogen har tilføjet, flyttet eller "
    "fjernet noget). Det, du skrev, er ikke gemt: kopiér det, og åbn elementet igen fra kladden."
)


@dataclass(frozen=True)
class Problem:
    """What is wrong with a draft, or why an edit was refused: `path` points at the field that
    causes it (`questions[2].label.da`, `rules[0].expression`, "" for the whole draft).
    `confirmable`: not an error but a published choice value given another meaning
    (`choice_meaning_problems`); publishing needs it confirmed."""

    path: str
    message: str
    confirmable: bool = False


class BuilderError(Exception):
    """A refused builder write. `code`: "invalid" (problems at fields), "stale" (the draft
    changed since the edit was started; `draft` is the draft as it is now), "missing" (no
    draft), "state" (e.g. nothing to publish), "changed_meaning" (publishing would give a
    published choice value another meaning and that was not confirmed)."""

    def __init__(self, *problems: Problem, code: str = "invalid", draft=None):
        self.problems = list(problems)
        self.code = code
        self.draft = draft
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems) or code)


# --- Reading -----------------------------------------------------------------------------


def draft_for(survey: Survey) -> DraftVersion | None:
    return DraftVersion.objects.filter(survey=survey).select_related("updated_by").first()


def published_choice_labels(survey: Survey) -> dict:
    """{question key: {choice value: label}} over every published version (the newest label
    wins): a value in here has been answered with and must keep its meaning."""
    out: dict = {}
    for content in (
        Definition.objects.filter(survey=survey)
        .order_by("version")
        .values_list("content", flat=True)
    ):
        for q in content.get("questions", []):
            for c in q.get("choices", []):
                out.setdefault(q["key"], {})[c["value"]] = c["label"]
    return out


# --- A published choice value keeps its meaning ----------------------------------------------
#
# The one rule for every path (the item page, the API's draft, an XLSForm upload, publishing):
# answers already given with a choice value are read with the label the draft gives it, so the
# draft may not give a published value another meaning without saying so. Two cases:
#
# - "relabel": the draft gives a published value a Danish text that is not the published one up
#   to a spelling fix (`same_meaning`);
# - "value": a published value is gone from the question and its text now belongs to a value
#   never published for it (the value was typed over): old and new answers of the same choice
#   would have two values.
#
# The Danish text is the reference (it is the source text and always there); the English one is
# a translation and may change freely. Each case is a `Problem(confirmable=True)` at the choice;
# the draft may be saved with it, and publishing needs it confirmed.

_EDGE_PUNCTUATION = ".,;:!?\"'«»“”‘’"


def _label_words(label) -> list[str]:
    da = label.get("da") if isinstance(label, dict) else label
    normal = unicodedata.normalize("NFKC", da if isinstance(da, str) else "").casefold()
    return [w for w in (w.strip(_EDGE_PUNCTUATION) for w in normal.split()) if w]


# Danish spellings of the same letter: each word is compared with these folded away.
_SPELLING_FOLDS = (("æ", "ae"), ("ø", "o"), ("å", "a"), ("é", "e"), ("aa", "a"), ("oe", "o"))
# A doubled letter added or removed is a fix only in words this long: in shorter ones it is
# often another word (»Værre« → »Være«).
_DOUBLED_LETTER_MIN_LENGTH = 6


def _folded(word: str) -> str:
    for spelling, folded in _SPELLING_FOLDS:
        word = word.replace(spelling, folded)
    return word


def _one_slip(x: str, y: str) -> bool:
    """Whether the (folded) words differ by one doubled letter added or removed, or by two
    neighbouring letters swapped."""
    if len(x) == len(y):
        diff = [k for k in range(len(x)) if x[k] != y[k]]
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and (x[diff[0]], x[diff[1]]) == (y[diff[1]], y[diff[0]])
        )
    short, long = sorted((x, y), key=len)
    if len(long) - len(short) != 1:
        return False
    return any(
        long[k] == long[k - 1] and long[:k] + long[k + 1 :] == short for k in range(1, len(long))
    )


def same_meaning(old, new) -> bool:
    """Whether a choice's new text (a {"da", "en"} label or a string; the Danish is compared)
    keeps the meaning of the old one: the same words apart from case, spaces and punctuation at
    the ends of words, Danish spellings of a letter (o/ø, a/å, aa/å, æ/ae, ø/oe, é/e), and at
    most two slips in all, one per word: a doubled letter added or removed (in words of
    6 letters or more) or two neighbouring letters swapped — never in a word with a number.
    So "Gennemfort" → "Gennemført" and "Planlagt." → "planlagt" keep the meaning; "Enig" →
    "Uenig", "Ja" → "Nej", "Under 10" → "Under 20", "Juni" → "Juli", "Værre" → "Være" change
    it."""
    a, b = _label_words(old), _label_words(new)
    if a == b:
        return True
    if len(a) != len(b):
        return False
    slips = 0
    for x, y in zip(a, b, strict=True):
        if x == y:
            continue
        if any(ch.isdigit() for ch in x + y):
            return False
        fx, fy = _folded(x), _folded(y)
        if fx == fy:
            continue
        if not _one_slip(fx, fy):
            return False
        if len(fx) != len(fy) and min(len(x), len(y)) < _DOUBLED_LETTER_MIN_LENGTH:
            return False
        slips += 1
    return slips <= 2


@dataclass(frozen=True)
class ChangedMeaning:
    """A published choice value the draft gives another meaning (see above). `index`: the
    question's place in the draft, `choice`: the choice's place in it."""

    kind: str  # "relabel" | "value"
    index: int
    choice: int
    question: str
    value: str
    label: dict
    published_value: str
    published_label: dict

    @property
    def path(self) -> str:
        prop = "label.da" if self.kind == "relabel" else "value"
        return f"questions[{self.index}].choices[{self.choice}].{prop}"


def changed_meanings(content: dict, published: dict) -> list[ChangedMeaning]:
    """Every choice of `content` whose value was published with another meaning. `published`:
    `published_choice_labels(survey)`. Anything malformed is left to the other checks."""
    out = []
    questions = content.get("questions") if isinstance(content, dict) else None
    for i, q in enumerate(questions if isinstance(questions, list) else []):
        if not isinstance(q, dict) or not isinstance(q.get("choices"), list):
            continue
        before = published.get(q.get("key")) or {}
        if not before:
            continue
        choices = [c for c in q["choices"] if isinstance(c, dict)]
        values = {c.get("value") for c in choices}
        gone = {v: label for v, label in before.items() if v not in values}
        for j, c in enumerate(q["choices"]):
            if not isinstance(c, dict) or not _label_words(c.get("label")):
                continue  # an empty text is "Skal udfyldes" at the field, not this
            value, label = c.get("value"), c.get("label")
            if value in before:
                if not same_meaning(before[value], label):
                    out.append(
                        ChangedMeaning(
                            "relabel", i, j, q.get("key"), value, label, value, before[value]
                        )
                    )
                continue
            for old_value, old_label in gone.items():
                if same_meaning(old_label, label):
                    out.append(
                        ChangedMeaning(
                            "value", i, j, q.get("key"), value, label, old_value, old_label
                        )
                    )
                    break
    return out


def choice_meaning_problems(content: dict, published: dict) -> list[Problem]:
    """`changed_meanings` as problems at the choice's field, for the pages and the API."""
    problems = []
    for c in changed_meanings(content, published):
        if c.kind == "relabel":
            message = _(
                "Værdien »%(value)s« er udgivet med teksten »%(old)s«. »%(new)s« giver den en "
                "anden betydning, så svar, der allerede er givet med %(value)s, læses "
                "anderledes. Giv valgmuligheden en ny værdi, eller bekræft ændringen, når du "
                "udgiver."
            ) % {
                "value": c.value,
                "old": text(c.published_label, "da"),
                "new": text(c.label, "da"),
            }
        else:
            message = _(
                "»%(label)s« er udgivet med værdien »%(old)s«; her har den værdien »%(value)s«. "
                "Svar på den samme valgmulighed får da to værdier. Behold værdien %(old)s, eller "
                "bekræft ændringen, når du udgiver."
            ) % {
                "label": text(c.published_label, "da"),
                "old": c.published_value,
                "value": c.value,
            }
        problems.append(Problem(c.path, message, confirmable=True))
    return problems


def names_in(expression: str | None) -> tuple:
    """The free names an expression uses (surveys.relevance.names_in; nothing for none)."""
    if not isinstance(expression, str) or not expression.strip():
        return ()
    return _names_in(expression)


def _expressions(content):
    """(path, name of what uses it, expression) for every expression of a definition."""
    for i, sec in enumerate(content.get("sections", [])):
        if sec.get("relevant_when"):
            who = _("afsnittet %(key)s") % {"key": sec.get("key")}
            yield f"sections[{i}].relevant_when", who, sec["relevant_when"]
    for i, q in enumerate(content.get("questions", [])):
        for prop in ("required_when", "relevant_when"):
            if q.get(prop):
                who = _("spørgsmålet %(key)s") % {"key": q.get("key")}
                yield f"questions[{i}].{prop}", who, q[prop]
    for i, d in enumerate(content.get("derived", [])):
        yield (
            f"derived[{i}].expression",
            _("den afledte værdi %(key)s") % {"key": d.get("key")},
            d.get("expression"),
        )
    for i, r in enumerate(content.get("rules", [])):
        yield (
            f"rules[{i}].expression",
            _("reglen %(key)s") % {"key": r.get("key")},
            r.get("expression"),
        )


def users_of(content: dict, key: str) -> list[str]:
    """Who in the definition uses the question or derived value `key`, in words ("reglen
    share_high", "indikatoren share" …): a question still used cannot be removed."""
    users = []
    for _path, who, expression in _expressions(content):
        if key in names_in(expression):
            users.append(who)
    for r in content.get("rules", []):
        if key in r.get("fields", []):
            users.append(_("reglen %(key)s") % {"key": r.get("key")})
        for message in (r.get("message") or {}).values():
            if "{" + key + "}" in (message or ""):
                users.append(_("reglen %(key)s") % {"key": r.get("key")})
    for q in content.get("questions", []):
        if q.get("section") == key:
            users.append(_("spørgsmålet %(key)s") % {"key": q.get("key")})
    for h in content.get("history_checks", []):
        if h.get("question") == key:
            users.append(_("historikkontrollen %(key)s") % {"key": h.get("key")})
    for ind in content.get("indicators", []):
        if key in (ind.get("numerator"), ind.get("denominator")):
            users.append(_("indikatoren %(key)s") % {"key": ind.get("key")})
    return list(dict.fromkeys(users))


# --- Checking a draft ----------------------------------------------------------------------

_PATH = re.compile(r"^(\w+)\[(\d+)\](?:\.(\w+))?")


def _schema_path(parts) -> str:
    return "".join(
        f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(parts)
    )


def _schema_message(err) -> str:
    v = err.validator
    if (v == "minLength" and err.instance == "") or (
        v == "pattern" and err.validator_value == NOT_BLANK
    ):
        return str(MSG_REQUIRED)
    if v == "maxLength":
        return _("Højst %(n)s tegn.") % {"n": err.validator_value}
    if v == "minItems":
        if list(err.absolute_path) == ["questions"]:
            return _("Tilføj mindst ét spørgsmål.")
        return _("Tilføj mindst %(n)s.") % {"n": err.validator_value}
    if v == "maxItems":
        return _("Højst %(n)s.") % {"n": err.validator_value}
    if v == "pattern" and err.validator_value == KEY_PATTERN:
        return str(MSG_KEY_FORMAT)
    if v == "pattern":
        return _("Må kun indeholde bogstaverne a–z, A–Z, tal og _ (højst 60 tegn).")
    if v == "required":
        missing = re.findall(r"'(\w+)' is a required property", err.message)
        return _("Mangler: %(what)s.") % {"what": ", ".join(missing) or err.message}
    if v in ("minimum", "exclusiveMinimum"):
        return _("Skal være større end %(n)s.") % {"n": err.validator_value}
    if v == "maximum":
        return _("Højst %(n)s.") % {"n": err.validator_value}
    if v in ("enum", "type"):
        return _("Ugyldig værdi.")
    return err.message


def _required_path(err, path):
    """A missing required property is reported at the property, not its parent."""
    if err.validator == "required":
        missing = re.findall(r"'(\w+)' is a required property", err.message)
        if missing:
            return f"{path}.{missing[0]}" if path else missing[0]
    return path


# Semantic messages of surveys.definitions in Danish (the import and the API keep English).
_SEMANTIC = [
    (re.compile(r"^unknown name '(\w+)'$"), gettext_lazy("Ukendt navn »%(0)s«.")),
    (re.compile(r"^unknown question '(\w+)'$"), gettext_lazy("Ukendt spørgsmål »%(0)s«.")),
    (
        re.compile(r"^'(\w+)' is a reserved word in expressions$"),
        gettext_lazy("»%(0)s« er et reserveret ord i udtryk. Vælg en anden nøgle."),
    ),
    (
        re.compile(r"^duplicate question key '(\w+)'$"),
        gettext_lazy("Nøglen »%(0)s« bruges af et andet spørgsmål."),
    ),
    (
        re.compile(r"^duplicate rule key '(\w+)'$"),
        gettext_lazy("Nøglen »%(0)s« bruges af en anden regel eller historikkontrol."),
    ),
    (
        re.compile(r"^'(\w+)' is already a question or derived key$"),
        gettext_lazy("Nøglen »%(0)s« bruges allerede af et spørgsmål eller en afledt værdi."),
    ),
    (
        re.compile(r"^a choice question needs choices$"),
        gettext_lazy("Et valgspørgsmål skal have mindst én valgmulighed."),
    ),
    (
        re.compile(r"^only choice questions take choices$"),
        gettext_lazy("Kun valgspørgsmål har valgmuligheder."),
    ),
    (
        re.compile(r"^duplicate section key '(\w+)'$"),
        gettext_lazy("Nøglen »%(0)s« bruges af et andet afsnit."),
    ),
    (re.compile(r"^unknown section '(\w+)'$"), gettext_lazy("Ukendt afsnit »%(0)s«.")),
    (
        re.compile(r"^the questions of section '(\w+)' must come one after another$"),
        gettext_lazy("Spørgsmålene i afsnittet »%(0)s« skal stå lige efter hinanden."),
    ),
    (
        re.compile(r"^section '(\w+)' has no questions$"),
        gettext_lazy("Afsnittet »%(0)s« har ingen spørgsmål."),
    ),
    (
        re.compile(
            r"^sections must be listed in the order of their questions "
            r"\('(\w+)' comes before '(\w+)'\)$"
        ),
        gettext_lazy(
            "Afsnittene skal stå i samme rækkefølge som deres spørgsmål (»%(0)s« kommer før "
            "»%(1)s«). Flyt afsnittet."
        ),
    ),
    (
        re.compile(r"^show-when depends on itself: (.+)$"),
        gettext_lazy("Betingelsen for at vise afhænger af sig selv: %(0)s."),
    ),
    (re.compile(r"^syntax error: (.*)$"), gettext_lazy("Udtrykket kan ikke læses: %(0)s")),
    (re.compile(r"^empty expression$"), gettext_lazy("Udtrykket er tomt.")),
    (
        re.compile(r"^expression too complex \((\d+) parts; at most (\d+)\)$"),
        gettext_lazy("Udtrykket er for indviklet: %(0)s dele, højst %(1)s."),
    ),
    (
        re.compile(r"^expression too expensive to evaluate \(up to (\d+) steps; at most (\d+)\)$"),
        gettext_lazy("Udtrykket er for dyrt at beregne: op til %(0)s trin, højst %(1)s."),
    ),
    (
        re.compile(
            r"^the expressions together are too expensive to evaluate "
            r"\(up to (\d+) steps per save; at most (\d+)\)$"
        ),
        gettext_lazy(
            "Udtrykkene er tilsammen for dyre at beregne: op til %(0)s trin pr. gemning, "
            "højst %(1)s. Gør dette eller andre udtryk enklere."
        ),
    ),
    (
        re.compile(r"^list with (\d+) items; at most (\d+)$"),
        gettext_lazy("En liste med %(0)s elementer; højst %(1)s."),
    ),
    (
        re.compile(r"^comprehensions \((\w+)\) inside another comprehension are not allowed$"),
        gettext_lazy("%(0)s() inde i en anden gennemløbning er ikke tilladt."),
    ),
    (
        re.compile(r"^only entries have fields \(e.field\); other values do not$"),
        gettext_lazy("Kun poster har felter (e.felt); andre værdier har ikke."),
    ),
    (
        re.compile(r"^'\{(\w+)\}' is not a question or derived value this rule can show$"),
        gettext_lazy("»{%(0)s}« er ikke et spørgsmål eller en afledt værdi, reglen kan vise."),
    ),
    (re.compile(r"^duplicate choice value$"), gettext_lazy("To valgmuligheder har samme værdi.")),
    (re.compile(r"^min is greater than max$"), gettext_lazy("Mindst er større end højst.")),
    (
        re.compile(r"^min/max apply to number questions only$"),
        gettext_lazy("Mindst og højst gælder kun for talspørgsmål."),
    ),
    (
        re.compile(r"^history checks need a number question$"),
        gettext_lazy("En historikkontrol skal gælde et talspørgsmål."),
    ),
    (
        re.compile(r"^'(\w+)' is not a number question$"),
        gettext_lazy("»%(0)s« er ikke et talspørgsmål."),
    ),
    (
        re.compile(r"^derived values are for surveys without entries$"),
        gettext_lazy("Afledte værdier findes kun i undersøgelser uden poster."),
    ),
    (
        re.compile(r"^scope 'entry' needs a survey with entries$"),
        gettext_lazy("Omfanget »post« kræver en undersøgelse med poster."),
    ),
    (
        re.compile(r"^a rule must be a condition that is true or false$"),
        gettext_lazy("En regel skal være en betingelse, der er sand eller falsk."),
    ),
    (
        re.compile(r"^a derived value must be a number$"),
        gettext_lazy("En afledt værdi skal være et tal."),
    ),
    (
        re.compile(r"^the values in the expression cannot be combined like that \(types\)$"),
        gettext_lazy("Værdierne i udtrykket kan ikke kombineres sådan (forkerte typer)."),
    ),
]


def _semantic_message(message: str) -> str:
    for pattern, danish in _SEMANTIC:
        m = pattern.match(message)
        if m:
            return str(danish) % {str(i): g for i, g in enumerate(m.groups())}
    return message  # expression syntax and cost messages: technical, shown as they are


def _placeholder(kind, index):
    return f"zz_builder_{kind}_{index}"


def _neutralize(content, path, index_maps) -> bool:
    """Make the part of `content` at `path` harmless (so the next check run reports the next
    problem, not this one again). Returns False when it cannot."""
    m = _PATH.match(path)
    if not m:
        return False
    part, i, prop = m.group(1), int(m.group(2)), m.group(3)
    items = content.get(part)
    if not isinstance(items, list) or i >= len(items):
        return False
    item = items[i]
    if part == "questions":
        if prop == "key":
            item["key"] = _placeholder("q", i)
        elif prop == "type":
            item["type"] = "text"
            for k in ("choices", "min", "max"):
                item.pop(k, None)
        elif prop == "choices":
            if item.get("type") in CHOICE_TYPES:
                item["choices"] = [{"value": "x", "label": {"da": "x"}}]
            else:
                item.pop("choices", None)
        elif prop == "min":
            item.pop("min", None)
            item.pop("max", None)
        elif prop == "label":
            item["label"] = {"da": "x"}
        elif prop:
            item.pop(prop, None)
        else:
            items[i] = {"key": item.get("key") or _placeholder("q", i), "type": "text"}
            items[i]["label"] = {"da": "x"}
        return True
    if part == "sections" and prop == "key":
        old, new = item.get("key"), _placeholder(part, i)
        item["key"] = new
        if not any(other.get("key") == old for other in items if other is not item):
            for q in content.get("questions", []):
                if q.get("section") == old:
                    q["section"] = new
        return True
    if part == "sections" and prop in ("relevant_when", "description"):
        item.pop(prop, None)
        return True
    if part == "sections" and prop == "title":
        item["title"] = {"da": "x"}
        return True
    if part == "sections" and prop is None:
        # A section out of order or without questions: take it out with its questions' links.
        for q in content.get("questions", []):
            if q.get("section") == item.get("key"):
                q.pop("section", None)
    if part == "derived" and prop in ("expression", "type"):
        item["expression"] = "0"
        item.pop("type", None)
        return True
    if part == "rules" and prop in ("expression", "scope", "fields", "message"):
        {
            "expression": lambda: item.update(expression="true"),
            "scope": lambda: item.pop("scope", None),
            "fields": lambda: item.pop("fields", None),
            "message": lambda: item.update(message={"da": "x"}),
        }[prop]()
        return True
    if prop == "key" and part in PARTS:
        item["key"] = _placeholder(part, i)
        return True
    # Anything else: take the item out, keeping the original index for the paths after it.
    del items[i]
    del index_maps.setdefault(part, list(range(len(items) + 1)))[i]
    return True


def _original_path(path, index_maps):
    m = _PATH.match(path)
    if not m or m.group(1) not in index_maps:
        return path
    original = index_maps[m.group(1)][int(m.group(2))]
    return f"{m.group(1)}[{original}]" + path[m.end(2) + 1 :]


def _builder_checks(content) -> list[Problem]:
    """The builder's own message for what the import refuses less precisely: derived values
    that depend on each other in a circle (the import says "unknown name")."""
    problems = []
    derived = [d for d in content.get("derived") or [] if isinstance(d, dict)]
    keys = [d.get("key") for d in derived]
    uses = {d.get("key"): [n for n in names_in(d.get("expression")) if n in keys] for d in derived}
    for i, d in enumerate(derived):
        cycle = _cycle(d.get("key"), uses)
        if cycle:
            problems.append(
                Problem(
                    f"derived[{i}].expression",
                    _("Afledte værdier, der bygger på hinanden i ring: %(cycle)s.")
                    % {"cycle": " → ".join(cycle)},
                )
            )
    return problems


def _cycle(start, uses):
    """The path start → … → start through `uses`, or None."""
    stack = [(start, [start])]
    seen = set()
    while stack:
        node, path = stack.pop()
        for nxt in uses.get(node, []):
            if nxt == start:
                return path + [start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None


MAX_REPORTED = 100
# Finding the problems one check run at a time costs a run each (a run of a large definition
# takes a second or two): past this budget the first ones found are reported, with a note that
# there may be more. A draft with any problem is not publishable, so this never lets one pass.
CHECK_BUDGET_SECONDS = 3.0
MSG_MORE = gettext_lazy("Der kan være flere fejl. Ret disse, så kontrolleres resten.")


def draft_problems(
    content: dict, *, survey: Survey | None = None, blocking_only: bool = False
) -> list[Problem]:
    """Everything that keeps `content` from being published, each at its field: without
    `blocking_only`, with `survey` also each published choice value given another meaning
    (`choice_meaning_problems`, `confirmable`: publishing needs it confirmed). The blocking
    ones are empty exactly when the import's check (`validate_definition`) passes and the
    builder's own checks do; `blocking_only` is the question "is this a valid definition"
    (preview, impact, download)."""
    problems = _blocking_problems(content, survey=survey)
    if survey is not None and not blocking_only:
        # After the blocking ones, so a confirmable one never hides a real error at its field.
        problems += choice_meaning_problems(content, published_choice_labels(survey))
    return problems


def _blocking_problems(content: dict, *, survey: Survey | None) -> list[Problem]:
    problems = _builder_checks(content)
    seen = {p.path for p in problems}
    if survey is not None and content.get("key") != survey.key:
        problems.append(Problem("key", _("Nøglen kan ikke ændres i en kladde.")))
    validator = jsonschema.Draft202012Validator(DEFINITION_SCHEMA)
    schema_errors = sorted(validator.iter_errors(content), key=lambda e: list(e.absolute_path))
    for err in schema_errors[:MAX_REPORTED]:
        path = _required_path(err, _schema_path(err.absolute_path))
        if path not in seen:
            seen.add(path)
            problems.append(Problem(path, _schema_message(err)))
    if schema_errors:
        return problems
    work = copy.deepcopy(content)
    index_maps: dict = {}
    deadline = time.monotonic() + CHECK_BUDGET_SECONDS
    for attempt in range(MAX_REPORTED):
        if problems and time.monotonic() > deadline:
            problems.append(Problem("", str(MSG_MORE)))
            break
        try:
            # The first run is on the content just found valid against the schema above.
            validate_definition(work, schema_checked=attempt == 0)
        except DefinitionError as exc:
            message = str(exc)[len(exc.path) + 2 :] if exc.path else str(exc)
            path = _original_path(exc.path, index_maps)
            if path not in seen:
                seen.add(path)
                said = _semantic_message(message)
                problems.append(Problem(path, f"{said} {_others(content, path)}".strip()))
            if not _neutralize(work, exc.path, index_maps):
                break
        else:
            break
    return problems


# What a key is, in words, for naming the other item that already has it.
_KINDS = {
    "sections": gettext_lazy("afsnit %(n)s"),
    "questions": gettext_lazy("spørgsmål %(n)s"),
    "derived": gettext_lazy("afledt værdi %(n)s"),
    "rules": gettext_lazy("regel %(n)s"),
    "history_checks": gettext_lazy("historikkontrol %(n)s"),
}


def _others(content, path):
    """For a key taken twice: which other item has it ("Den bruges også af spørgsmål 2.")."""
    m = _PATH.match(path)
    if not m or m.group(3) != "key":
        return ""
    part, index = m.group(1), int(m.group(2))
    try:
        key = content[part][index]["key"]
    except (KeyError, IndexError, TypeError):
        return ""
    others = [
        str(_KINDS[other]) % {"n": i + 1}
        for other in _KINDS
        for i, item in enumerate(content.get(other) or [])
        if isinstance(item, dict)
        and item.get("key") == key
        and (other, i) != (part, index)
        and (other in ("rules", "history_checks")) == (part in ("rules", "history_checks"))
    ]
    if not others:
        return ""
    return _("Den bruges også af %(others)s.") % {"others": ", ".join(others)}


def problems_under(problems: Sequence[Problem], prefix: str) -> list[Problem]:
    """The problems at `prefix` (`questions[2]`) or inside it."""
    return [
        p
        for p in problems
        if p.path == prefix or p.path.startswith(prefix + ".") or p.path.startswith(prefix + "[")
    ]


# --- Writes --------------------------------------------------------------------------------


def _audit(action, *, actor, ip, survey, detail=None):
    record(action, actor=actor, ip=ip, obj=survey, detail={"key": survey.key, **(detail or {})})


def create_survey(*, key: str, title_da: str, title_en: str = "", actor: User, ip: str | None):
    """A new survey with a draft holding its title (no questions yet: the draft is invalid
    until one is added). Nothing is published."""
    key, title_da, title_en = (
        (key or "").strip(),
        (title_da or "").strip(),
        (title_en or "").strip(),
    )
    problems = []
    if not re.match(KEY_PATTERN, key):
        problems.append(Problem("key", str(MSG_KEY_FORMAT)))
    elif Survey.objects.filter(key=key).exists():
        problems.append(Problem("key", str(MSG_KEY_TAKEN)))
    if not title_da:
        problems.append(Problem("title_da", str(MSG_REQUIRED)))
    for field, value in (("title_da", title_da), ("title_en", title_en)):
        if len(value) > 200:
            problems.append(Problem(field, _("Højst %(n)s tegn.") % {"n": 200}))
    if problems:
        raise BuilderError(*problems)
    title = {"da": title_da, **({"en": title_en} if title_en else {})}
    try:
        with transaction.atomic():
            survey = Survey.objects.create(key=key, name=title_da, name_en=title_en)
            draft = DraftVersion.objects.create(
                survey=survey,
                content={"key": key, "title": title, "questions": []},
                created_by=actor,
                updated_by=actor,
            )
            _audit("survey.created", actor=actor, ip=ip, survey=survey)
    except IntegrityError:  # created by someone else in the meantime
        raise BuilderError(Problem("key", str(MSG_KEY_TAKEN)))
    return draft


def open_draft(*, survey: Survey, actor: User, ip: str | None) -> DraftVersion:
    """A draft version of `survey`: a copy of its newest published version. An existing draft
    is returned as it is (there is one draft per survey)."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        existing = draft_for(survey)
        if existing is not None:
            return existing
        current = survey.current_definition()
        content = (
            copy.deepcopy(current.content)
            if current is not None
            else {"key": survey.key, "title": {"da": survey.name}, "questions": []}
        )
        content.pop("version", None)
        draft = DraftVersion.objects.create(
            survey=survey, content=content, based_on=current, created_by=actor, updated_by=actor
        )
        _audit(
            "draft.opened",
            actor=actor,
            ip=ip,
            survey=survey,
            detail={"from_version": current.version if current else None},
        )
    return draft


def _locked_draft(survey, revision):
    draft = (
        DraftVersion.objects.select_for_update(of=("self",))
        .select_related("survey", "updated_by")
        .filter(survey=survey)
        .first()
    )
    if draft is None:
        raise BuilderError(Problem("", str(MSG_NO_DRAFT)), code="missing")
    if revision != draft.revision:
        who = draft.updated_by.display_name if draft.updated_by else "?"
        raise BuilderError(Problem("", str(MSG_STALE) % {"who": who}), code="stale", draft=draft)
    return draft


def _save(survey, revision, actor, ip, change, what):
    """The one draft write: lock, check the revision, apply `change` to a copy of the content,
    save as the next revision with its audit row."""
    with transaction.atomic():
        draft = _locked_draft(survey, revision)
        content = copy.deepcopy(draft.content)
        change(content)
        draft.content = content
        draft.revision += 1
        draft.updated_at = timezone.now()
        draft.updated_by = actor
        draft.save(update_fields=["content", "revision", "updated_at", "updated_by"])
        _audit(
            "draft.saved",
            actor=actor,
            ip=ip,
            survey=draft.survey,
            detail={"revision": draft.revision, "change": what},
        )
    return draft


def _clean_text(value: dict | None) -> dict | None:
    """{"da": …, "en": …} with whitespace trimmed and an empty English dropped; None when
    both are empty. An empty Danish stays "" so the check says "Skal udfyldes" at the field."""
    if not value:
        return None
    da = (value.get("da") or "").strip()
    en = (value.get("en") or "").strip()
    if not da and not en:
        return None
    return {"da": da, **({"en": en} if en else {})}


def clean_item(item: dict) -> dict:
    """An item as the builder stores it: bilingual texts trimmed, empty optional values left
    out (so the draft is what an import file would say)."""
    out = {}
    for k, v in item.items():
        if isinstance(v, dict) and set(v) <= {"da", "en"}:
            v = _clean_text(v)
        elif isinstance(v, str):
            v = v.strip()
        if v is None or v == "" or v == [] or (k == "required" and v is False):
            continue
        if k == "choices":
            v = [
                {"value": c["value"].strip(), "label": _clean_text(c.get("label")) or {"da": ""}}
                for c in v
            ]
        out[k] = v
    for required in ("label", "message"):
        if required in item and required not in out:
            out[required] = {"da": ""}
    return out


def update_settings(
    *,
    survey: Survey,
    revision: int,
    title: dict,
    description: dict | None,
    entries: dict | None,
    actor: User,
    ip: str | None,
) -> DraftVersion:
    """The draft's title, description and entries settings (None: a survey without entries)."""

    def change(content):
        content["title"] = _clean_text(title) or {"da": ""}
        for key, value in (("description", _clean_text(description or {})),):
            if value:
                content[key] = value
            else:
                content.pop(key, None)
        if entries is None:
            content.pop("entries", None)
        else:
            content["entries"] = clean_item(entries)

    return _save(survey, revision, actor, ip, change, "settings")


def put_item(
    *,
    survey: Survey,
    revision: int,
    part: str,
    index: int | None,
    item: dict,
    actor: User,
    ip: str | None,
    expected_key: str | None = None,
) -> DraftVersion:
    """Replace the item at `index` of `part` (None: add it at the end). A published choice value
    given another meaning is saved and reported by `draft_problems` (the item page shows
    published values read-only and refuses one typed over). `expected_key`:
    the key the item had when the page was opened; another item at `index` now (the draft
    changed meanwhile) is refused rather than overwritten."""
    if part not in PARTS:
        raise ValueError(part)
    item = clean_item(item)

    def change(content):
        items = content.setdefault(part, [])
        if index is None:
            items.append(item)
        elif 0 <= index < len(items):
            old_key = items[index].get("key")
            if expected_key is not None and (old_key or "") != expected_key:
                raise BuilderError(Problem("", str(MSG_ITEM_MOVED)), code="moved")
            if part in USED_PARTS and old_key and old_key != item.get("key"):
                rest = copy.deepcopy(content)
                del rest[part][index]
                users = users_of(rest, old_key)
                if users:
                    raise BuilderError(
                        Problem(
                            f"{part}[{index}].key",
                            _(
                                "Nøglen »%(key)s« bruges af %(users)s. Ret dem først, eller "
                                "behold nøglen."
                            )
                            % {"key": old_key, "users": ", ".join(users)},
                        )
                    )
            items[index] = item
        else:
            raise BuilderError(Problem("", str(MSG_NO_ITEM)), code="missing")

    verb = "added" if index is None else "changed"
    return _save(survey, revision, actor, ip, change, f"{part}.{verb}:{item.get('key', '')}")


def with_item(content: dict, *, part: str, index: int | None, item: dict) -> dict:
    """A copy of `content` with `item` (cleaned as a save would) at `index` of `part` (None:
    added at the end): what a save would store, for checking it before saving."""
    trial = copy.deepcopy(content)
    items = trial.setdefault(part, [])
    if index is None:
        items.append(clean_item(item))
    else:
        items[index] = clean_item(item)
    return trial


def remove_item(
    *, survey: Survey, revision: int, part: str, index: int, actor: User, ip: str | None
) -> DraftVersion:
    """Remove an item. A section, question or derived value still used (by a question, an
    expression, a rule, a history check or an indicator) is refused, naming the users."""
    if part not in PARTS:
        raise ValueError(part)

    def change(content):
        items = content.get(part) or []
        if not 0 <= index < len(items):
            raise BuilderError(Problem("", str(MSG_NO_ITEM)), code="missing")
        key = items[index].get("key")
        if part in USED_PARTS:
            rest = copy.deepcopy(content)
            del rest[part][index]
            users = users_of(rest, key)
            if users:
                raise BuilderError(
                    Problem(
                        f"{part}[{index}]",
                        _("»%(key)s« kan ikke fjernes: den bruges af %(users)s.")
                        % {"key": key, "users": ", ".join(users)},
                    )
                )
        del items[index]

    return _save(survey, revision, actor, ip, change, f"{part}.removed:{index}")


def move_item(
    *, survey: Survey, revision: int, part: str, index: int, offset: int, actor: User, ip
) -> DraftVersion:
    """Move an item up (offset -1) or down (+1)."""
    if part not in PARTS:
        raise ValueError(part)

    def change(content):
        items = content.get(part) or []
        target = index + offset
        if not (0 <= index < len(items)):
            raise BuilderError(Problem("", str(MSG_NO_ITEM)), code="missing")
        if 0 <= target < len(items):
            items[index], items[target] = items[target], items[index]

    return _save(survey, revision, actor, ip, change, f"{part}.moved")


def replace_draft_content(
    *, survey: Survey, revision: int, content: dict, actor: User, ip: str | None
) -> DraftVersion:
    """Replace the whole draft (an uploaded file, the API). The survey's key stays."""
    if not isinstance(content, dict):
        raise BuilderError(Problem("", _("En definition skal være et JSON-objekt.")))
    new = {k: v for k, v in content.items() if k != "version"}
    new["key"] = survey.key
    # A draft may be invalid, but not of the wrong JSON types: the pages edit objects, lists
    # and texts where the format has them.
    validator = jsonschema.Draft202012Validator(DEFINITION_SCHEMA)
    wrong = [e for e in validator.iter_errors(new) if e.validator == "type"]
    if wrong:
        raise BuilderError(
            *(
                Problem(_schema_path(e.absolute_path) or "(root)", _schema_message(e))
                for e in wrong[:MAX_REPORTED]
            )
        )

    def change(current):
        current.clear()
        current.update(copy.deepcopy(new))

    return _save(survey, revision, actor, ip, change, "replaced")


def discard_draft(*, survey: Survey, revision: int, actor: User, ip: str | None) -> None:
    """Throw the draft away; the published versions are untouched."""
    with transaction.atomic():
        draft = _locked_draft(survey, revision)
        draft.delete()
        _audit("draft.discarded", actor=actor, ip=ip, survey=survey)


def publish_draft(
    *,
    survey: Survey,
    revision: int,
    actor: User,
    ip: str | None,
    confirm_changed_meaning: bool = False,
) -> Definition:
    """Freeze the draft as the survey's next version: the same check as an import
    (`validate_definition`) and the builder's own must pass. A published choice value given
    another meaning (`changed_meanings`) is refused with code "changed_meaning" unless
    `confirm_changed_meaning` (the person has seen it said in words); the audit row then names
    the choices. Rounds keep the version they were created with. Two coordinators publishing
    at once: the second is refused as stale."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        draft = _locked_draft(survey, revision)
        content = copy.deepcopy(draft.content)
        problems = draft_problems(content, survey=survey)
        confirmable = [p for p in problems if p.confirmable]
        if any(not p.confirmable for p in problems):
            raise BuilderError(
                *(p for p in problems if not confirm_changed_meaning or not p.confirmable)
            )
        if confirmable and not confirm_changed_meaning:
            raise BuilderError(*confirmable, code="changed_meaning")
        try:
            validate_definition(content)  # the import's check, once more
        except DefinitionError as exc:  # draft_problems found nothing: cannot happen
            raise BuilderError(Problem(exc.path, str(exc)))
        current = survey.current_definition()
        if current is not None and current.content == content:
            raise BuilderError(
                Problem("", str(MSG_UNCHANGED) % {"version": current.version}), code="state"
            )
        definition = Definition.objects.create(
            survey=survey,
            version=(current.version + 1) if current else 1,
            content=content,
            created_by=actor,
        )
        survey.name = content["title"]["da"]
        survey.name_en = content["title"].get("en", "")
        survey.save(update_fields=["name", "name_en"])
        draft.delete()
        _audit(
            "definition.published",
            actor=actor,
            ip=ip,
            survey=survey,
            detail={
                "version": definition.version,
                **({"changed_meaning": [p.path for p in confirmable]} if confirmable else {}),
            },
        )
    return definition


# --- The diff in words -------------------------------------------------------------------

PART_NAMES = {
    "sections": (gettext_lazy("Afsnittet"), gettext_lazy("afsnittene")),
    "questions": (gettext_lazy("Spørgsmålet"), gettext_lazy("spørgsmålene")),
    "derived": (gettext_lazy("Den afledte værdi"), gettext_lazy("de afledte værdier")),
    "rules": (gettext_lazy("Reglen"), gettext_lazy("reglerne")),
    "history_checks": (gettext_lazy("Historikkontrollen"), gettext_lazy("historikkontrollerne")),
    "indicators": (gettext_lazy("Indikatoren"), gettext_lazy("indikatorerne")),
}
PROPERTY_NAMES = {
    "key": gettext_lazy("nøgle"),
    "title": gettext_lazy("overskrift"),
    "description": gettext_lazy("beskrivelse"),
    "entries": gettext_lazy("poster"),
    "type": gettext_lazy("type"),
    "label": gettext_lazy("tekst"),
    "help": gettext_lazy("hjælpetekst"),
    "unit": gettext_lazy("enhed"),
    "required": gettext_lazy("skal udfyldes"),
    "required_when": gettext_lazy("skal udfyldes når"),
    "relevant_when": gettext_lazy("vises når"),
    "section": gettext_lazy("afsnit"),
    "min": gettext_lazy("mindst"),
    "max": gettext_lazy("højst"),
    "max_length": gettext_lazy("længde"),
    "expression": gettext_lazy("udtryk"),
    "severity": gettext_lazy("alvor"),
    "scope": gettext_lazy("omfang"),
    "fields": gettext_lazy("felter"),
    "message": gettext_lazy("besked"),
    "question": gettext_lazy("spørgsmål"),
    "max_change_percent": gettext_lazy("største ændring"),
    "numerator": gettext_lazy("tæller"),
    "denominator": gettext_lazy("nævner"),
    "target": gettext_lazy("mål"),
    "thresholds": gettext_lazy("grænser"),
    "target_label": gettext_lazy("tekst til målet"),
}


def _property_order(name: str) -> tuple[int, str]:
    order = list(PROPERTY_NAMES)
    return (order.index(name), "") if name in order else (len(order), name)


def _choice_changes(key, old, new, language):
    old_c = {c["value"]: c["label"] for c in old.get("choices", [])}
    new_c = {c["value"]: c["label"] for c in new.get("choices", [])}
    out = []
    for value in new_c.keys() - old_c.keys():
        out.append(
            _("Spørgsmålet %(q)s får valgmuligheden »%(label)s« (%(value)s).")
            % {"q": key, "label": text(new_c[value], language), "value": value}
        )
    for value in old_c.keys() - new_c.keys():
        out.append(
            _("Spørgsmålet %(q)s mister valgmuligheden »%(label)s« (%(value)s).")
            % {"q": key, "label": text(old_c[value], language), "value": value}
        )
    for value in old_c.keys() & new_c.keys():
        if old_c[value] != new_c[value]:
            out.append(
                _(
                    "Spørgsmålet %(q)s: valgmuligheden %(value)s hed »%(old)s« og hedder nu "
                    "»%(new)s«. Svar, der allerede er givet med %(value)s, vises med den nye "
                    "tekst."
                )
                % {
                    "q": key,
                    "value": value,
                    "old": text(old_c[value], language),
                    "new": text(new_c[value], language),
                }
            )
    common = [v for v in old_c if v in new_c]
    if common != [v for v in new_c if v in old_c]:
        out.append(_("Spørgsmålet %(q)s: valgmulighedernes rækkefølge er ændret.") % {"q": key})
    return out


def reused_choice_values(
    survey: Survey, content: dict, *, language: str | None = None
) -> list[str]:
    """Each published choice value the draft gives another meaning (`changed_meanings`), in
    words: said on the publish page, where publishing then needs it confirmed."""
    out = []
    for c in changed_meanings(content, published_choice_labels(survey)):
        if c.kind == "relabel":
            out.append(
                _(
                    "Spørgsmålet %(q)s: værdien %(value)s betød »%(old)s« i en tidligere "
                    "version og betyder nu »%(new)s«. Svar fra ældre runder med %(value)s "
                    "læses da anderledes; overvej en ny værdi."
                )
                % {
                    "q": c.question,
                    "value": c.value,
                    "old": text(c.published_label, language),
                    "new": text(c.label, language),
                }
            )
        else:
            out.append(
                _(
                    "Spørgsmålet %(q)s: »%(label)s« hed %(old)s i en udgivet version og hedder "
                    "nu %(value)s. Svar fra ældre runder med %(old)s og nye med %(value)s "
                    "betyder det samme; overvej at beholde %(old)s."
                )
                % {
                    "q": c.question,
                    "label": text(c.label, language),
                    "old": c.published_value,
                    "value": c.value,
                }
            )
    return out


def describe_changes(old: dict | None, new: dict, *, language: str | None = None) -> list[str]:
    """What `new` changes against `old` (the previous version), one sentence each."""
    old = old or {}
    out = []
    if old.get("title") != new.get("title"):
        out.append(
            _("Titlen ændres fra »%(old)s« til »%(new)s«.")
            % {"old": text(old.get("title"), language), "new": text(new.get("title"), language)}
        )
    if old.get("description") != new.get("description"):
        out.append(_("Beskrivelsen ændres."))
    if old.get("entries") != new.get("entries"):
        out.append(_("Indstillingerne for poster ændres."))
    for part in PARTS:
        one, many = PART_NAMES[part]
        old_items = {i.get("key"): i for i in old.get(part, [])}
        new_items = {i.get("key"): i for i in new.get(part, [])}
        for key, item in new_items.items():
            if key not in old_items:
                out.append(
                    _("%(what)s %(key)s (»%(label)s«) tilføjes.")
                    % {
                        "what": one,
                        "key": key,
                        "label": text(_item_text(item), language),
                    }
                )
        for key, item in old_items.items():
            if key not in new_items:
                out.append(
                    _("%(what)s %(key)s (»%(label)s«) fjernes.")
                    % {
                        "what": one,
                        "key": key,
                        "label": text(_item_text(item), language),
                    }
                )
        for key, item in new_items.items():
            before = old_items.get(key)
            if before is None or before == item:
                continue
            # In the order of PROPERTY_NAMES, not of the stored JSON (PostgreSQL's jsonb keeps
            # its own key order), so the same change reads the same on every database.
            changed = [
                str(PROPERTY_NAMES.get(p, p))
                for p in sorted({*before, *item}, key=_property_order)
                if p != "choices" and before.get(p) != item.get(p)
            ]
            if changed:
                out.append(
                    _("%(what)s %(key)s ændres: %(props)s.")
                    % {"what": one, "key": key, "props": ", ".join(changed)}
                )
            if part == "questions":
                out.extend(_choice_changes(key, before, item, language))
        common = [k for k in old_items if k in new_items]
        if common != [k for k in new_items if k in old_items]:
            out.append(_("Rækkefølgen af %(what)s ændres.") % {"what": many})
    return out


def numeric_question_keys(content: dict) -> list[str]:
    return [q["key"] for q in content.get("questions", []) if q.get("type") in NUMERIC_TYPES]


def _item_text(item):
    return item.get("label") or item.get("title") or item.get("message")
