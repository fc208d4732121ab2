"""The builder's forms: one per part of a definition. They only parse what was typed into the
item a definition holds (`to_item`) and back (`data_from`); whether the draft is valid is
`surveys.builder.draft_problems`, shown at these forms' fields with `add_problems`.

A form refuses only what cannot be stored at all (a number that is not a number); everything
else is saved, even when the draft is not valid yet."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.definitions import QUESTION_TYPES

TYPE_LABELS = {
    "integer": _("Helt tal"),
    "decimal": _("Decimaltal"),
    "percentage": _("Procent"),
    "text": _("Kort tekst"),
    "long_text": _("Lang tekst"),
    "single_choice": _("Ét valg (radioknapper)"),
    "multiple_choice": _("Flere valg (afkrydsningsfelter)"),
    "date": _("Dato"),
    "yes_no": _("Ja/nej"),
    "email": _("E-mailadresse"),
}
SEVERITIES = [
    ("error", _("Fejl (forhindrer indsendelse)")),
    ("warning", _("Advarsel (kræver forklaring)")),
]
DERIVED_TYPES = [
    ("decimal", _("Decimaltal")),
    ("percentage", _("Procent")),
    ("integer", _("Helt tal")),
]
SCOPES = [("submission", _("Hele besvarelsen")), ("entry", _("Hver post"))]
MSG_NOT_NUMBER = _("Skriv et tal, fx 10 eller 2,5.")
MSG_REQUIRED = _("Skal udfyldes.")
EXTRA_CHOICE_ROWS = 3

_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")


def parse_number(raw):
    """'2,5' or '2.5' → 2.5, '10' → 10; None for empty; ValueError otherwise."""
    raw = (raw or "").strip().replace(" ", "")
    if not raw:
        return None
    if not _NUMBER.match(raw):
        raise ValueError(raw)
    value = float(raw.replace(",", "."))
    return int(value) if value.is_integer() and "," not in raw and "." not in raw else value


def show_number(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


class NumberField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return parse_number(value)
        except ValueError:
            raise forms.ValidationError(MSG_NOT_NUMBER, code="invalid")


def _text(label, help_text="", textarea=False, max_length=4000):
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}) if textarea else forms.TextInput,
    )


def _bilingual(data, prefix):
    return {"da": data.get(f"{prefix}_da", ""), "en": data.get(f"{prefix}_en", "")}


def _flatten(item, prefix, value):
    value = value or {}
    item[f"{prefix}_da"] = value.get("da", "")
    item[f"{prefix}_en"] = value.get("en", "")


class PartForm(forms.Form):
    """Common: the draft revision the edit was made on, and problems shown at fields."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    BILINGUAL: tuple = ()
    # What the definition format requires: refused by the form (nothing saved, the message at
    # the field), so the page marks only the truly optional fields "(valgfrit)".
    REQUIRED: tuple = ()

    def __init__(self, *args, **kwargs):
        self.choice_problems = []
        # Published choices given another meaning: said, not errors (publishing confirms them).
        self.choice_changes = []
        super().__init__(*args, **kwargs)
        for name in self.REQUIRED:
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = MSG_REQUIRED

    @classmethod
    def data_from(cls, item, revision):
        data = {"revision": revision}
        for name, value in (item or {}).items():
            if name in cls.BILINGUAL:
                _flatten(data, name, value)
            elif isinstance(value, bool):
                if value:
                    data[name] = "on"
            elif isinstance(value, int | float):
                data[name] = show_number(value)
            elif isinstance(value, list) and name == "thresholds":
                data[name] = "; ".join(show_number(v) for v in value)
            elif isinstance(value, list) and name != "choices":
                data[name] = value
            elif isinstance(value, str):
                data[name] = value
        return data

    def to_item(self):
        d = self.cleaned_data
        item = {}
        for name in self.fields:
            if name == "revision" or name.endswith("_da") or name.endswith("_en"):
                continue
            item[name] = d.get(name)
        for name in self.BILINGUAL:
            item[name] = _bilingual(d, name)
        return item

    def add_problems(self, problems, prefix):
        """Show the draft's problems under `prefix` (`questions[2]`) at their fields."""
        for p in problems:
            rest = p.path[len(prefix) :].lstrip(".")
            name = re.split(r"[.\[]", rest, maxsplit=1)[0] if rest else ""
            if rest.startswith("choices") or name == "choices":
                (self.choice_changes if p.confirmable else self.choice_problems).append(p.message)
                continue
            sub = rest.split(".")
            if len(sub) == 2 and sub[0] in self.BILINGUAL:
                name = f"{sub[0]}_{sub[1]}"
            elif name in self.BILINGUAL:
                name = f"{name}_da"
            self.add_error(name if name in self.fields else None, p.message)


class GeneralForm(PartForm):
    BILINGUAL = ("title", "description")
    REQUIRED = ("title_da",)
    title_da = _text(_("Titel (dansk)"), max_length=400)
    title_en = _text(_("Titel (engelsk)"), max_length=400)
    description_da = _text(_("Beskrivelse (dansk)"), textarea=True)
    description_en = _text(_("Beskrivelse (engelsk)"), textarea=True)
    has_entries = forms.BooleanField(
        label=_("Kommunerne indberetter flere poster (fx én pr. prøvehandling)"), required=False
    )
    entries_label_da = _text(_("Navn på én post (dansk)"), _("Fx »prøvehandling«."))
    entries_label_en = _text(_("Navn på én post (engelsk)"))
    entries_label_plural_da = _text(_("Navn på flere poster (dansk)"))
    entries_label_plural_en = _text(_("Navn på flere poster (engelsk)"))
    entries_allow_nothing_to_report = forms.BooleanField(
        label=_("Kommunen kan svare, at den intet har at indberette"), required=False
    )
    entries_min = forms.IntegerField(label=_("Mindst antal poster"), required=False, min_value=0)
    entries_max = forms.IntegerField(label=_("Højst antal poster"), required=False, min_value=1)

    @classmethod
    def from_content(cls, content, revision):
        data = {"revision": revision}
        _flatten(data, "title", content.get("title"))
        _flatten(data, "description", content.get("description"))
        entries = content.get("entries")
        if entries is not None:
            data["has_entries"] = "on"
            _flatten(data, "entries_label", entries.get("label"))
            _flatten(data, "entries_label_plural", entries.get("label_plural"))
            if entries.get("allow_nothing_to_report"):
                data["entries_allow_nothing_to_report"] = "on"
            for k in ("min", "max"):
                if entries.get(k) is not None:
                    data[f"entries_{k}"] = entries[k]
        return cls(data)

    def settings(self):
        d = self.cleaned_data
        entries = None
        if d.get("has_entries"):
            entries = {
                "label": _bilingual(d, "entries_label"),
                "label_plural": _bilingual(d, "entries_label_plural"),
                "allow_nothing_to_report": bool(d.get("entries_allow_nothing_to_report")),
                "min": d.get("entries_min"),
                "max": d.get("entries_max"),
            }
        return {
            "title": _bilingual(d, "title"),
            "description": _bilingual(d, "description"),
            "entries": entries,
        }

    def add_problems(self, problems, prefix=""):
        for p in problems:
            path = p.path
            if path.startswith("entries."):
                path = "entries_" + path[len("entries.") :].replace(".", "_")
            else:
                path = path.replace(".", "_")
            self.add_error(path if path in self.fields else None, p.message)


class QuestionForm(PartForm):
    BILINGUAL = ("label", "help", "unit")
    REQUIRED = ("key", "label_da")
    key = forms.CharField(
        label=_("Nøgle"),
        max_length=60,
        required=False,
        help_text=_(
            "Navnet på svaret i data og udtryk: små bogstaver a–z, tal og _, fx »pupils_8_9«."
        ),
    )
    type = forms.ChoiceField(label=_("Type"), choices=[(t, TYPE_LABELS[t]) for t in QUESTION_TYPES])
    label_da = _text(_("Spørgsmål (dansk)"))
    label_en = _text(_("Spørgsmål (engelsk)"))
    help_da = _text(_("Hjælpetekst (dansk)"), textarea=True)
    help_en = _text(_("Hjælpetekst (engelsk)"), textarea=True)
    unit_da = _text(_("Enhed (dansk)"), _("Fx »elever« eller »kr.«."), max_length=200)
    unit_en = _text(_("Enhed (engelsk)"), max_length=200)
    required = forms.BooleanField(label=_("Skal udfyldes"), required=False)
    required_when = _text(
        _("Skal udfyldes, når"),
        _("Et udtryk, fx »enrolled > 0«. Lad stå tomt, hvis det ikke afhænger af andre svar."),
        max_length=2000,
    )
    relevant_when = _text(
        _("Vises kun, når"),
        _(
            "Et udtryk, fx »has_agreements == true«. Skjult er spørgsmålet ikke krævet, og "
            "svaret gemmes ikke. Lad stå tomt for altid at vise det."
        ),
        max_length=2000,
    )
    section = forms.ChoiceField(label=_("Hører til afsnittet"), required=False)
    min = NumberField(label=_("Mindst"), help_text=_("Kun talspørgsmål."))
    max = NumberField(label=_("Højst"), help_text=_("Kun talspørgsmål."))
    max_length = forms.IntegerField(
        label=_("Højst antal tegn"), required=False, min_value=1, max_value=100000
    )

    def __init__(self, *args, published_choices=None, section_keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", _("Intet afsnit"))] + [(k, k) for k in section_keys]
        self.published_choices = published_choices or {}
        self.choice_rows = self._choice_rows()

    @classmethod
    def data_from(cls, item, revision):
        data = super().data_from(item, revision)
        for i, c in enumerate((item or {}).get("choices", [])):
            data[f"choice-{i}-value"] = c.get("value", "")
            label = c.get("label") or {}
            data[f"choice-{i}-label_da"] = label.get("da", "")
            data[f"choice-{i}-label_en"] = label.get("en", "")
        return data

    def _choice_rows(self):
        """The choice rows as typed (a bound form) plus empty rows to add new ones."""
        data = self.data
        rows = []
        i = 0
        while f"choice-{i}-value" in data or f"choice-{i}-label_da" in data:
            value = (data.get(f"choice-{i}-value") or "").strip()
            rows.append(
                {
                    "posted": i,
                    "value": value,
                    "label_da": data.get(f"choice-{i}-label_da", ""),
                    "label_en": data.get(f"choice-{i}-label_en", ""),
                    "remove": bool(data.get(f"choice-{i}-remove")),
                    "published": self.published_choices.get(value),
                }
            )
            i += 1
        filled = [r for r in rows if r["value"] or r["label_da"].strip() or r["label_en"].strip()]
        for _n in range(EXTRA_CHOICE_ROWS):
            filled.append(
                {"value": "", "label_da": "", "label_en": "", "remove": False, "published": None}
            )
        for n, row in enumerate(filled):
            row["index"] = n
            row["last"] = n == len(filled) - EXTRA_CHOICE_ROWS - 1
        return filled

    def choices(self, move=None):
        """The choices typed, without removed and empty rows; `move` = (index, -1|+1)."""
        rows = [
            r
            for r in self.choice_rows
            if not r["remove"] and (r["value"] or r["label_da"].strip() or r["label_en"].strip())
        ]
        if move is not None:
            index, offset = move
            position = next((n for n, r in enumerate(rows) if r.get("posted") == index), None)
            if position is not None and 0 <= position + offset < len(rows):
                rows[position], rows[position + offset] = rows[position + offset], rows[position]
        return [
            {"value": r["value"], "label": {"da": r["label_da"], "en": r["label_en"]}} for r in rows
        ]

    def to_item(self, move=None):
        item = super().to_item()
        if item.get("type") in ("single_choice", "multiple_choice") or any(
            r["value"] for r in self.choice_rows
        ):
            item["choices"] = self.choices(move)
        return item


class SectionForm(PartForm):
    BILINGUAL = ("title", "description")
    REQUIRED = ("key", "title_da")
    key = forms.CharField(
        label=_("Nøgle"),
        max_length=60,
        required=False,
        help_text=_("Små bogstaver a–z, tal og _. Spørgsmål knyttes til afsnittet med den."),
    )
    title_da = _text(_("Overskrift (dansk)"))
    title_en = _text(_("Overskrift (engelsk)"))
    description_da = _text(_("Beskrivelse (dansk)"), textarea=True)
    description_en = _text(_("Beskrivelse (engelsk)"), textarea=True)
    relevant_when = _text(
        _("Vises kun, når"),
        _("Et udtryk; skjult er afsnittets spørgsmål ikke krævet, og svarene gemmes ikke."),
        max_length=2000,
    )


class DerivedForm(PartForm):
    BILINGUAL = ("label",)
    REQUIRED = ("key", "expression", "label_da")
    key = forms.CharField(label=_("Nøgle"), max_length=60, required=False)
    expression = _text(
        _("Udtryk"), _("Fx »enrolled / pupils_8_9«."), textarea=True, max_length=2000
    )
    type = forms.ChoiceField(label=_("Type"), choices=DERIVED_TYPES)
    label_da = _text(_("Tekst (dansk)"))
    label_en = _text(_("Tekst (engelsk)"))


class RuleForm(PartForm):
    BILINGUAL = ("message",)
    REQUIRED = ("key", "expression", "message_da")
    key = forms.CharField(label=_("Nøgle"), max_length=60, required=False)
    expression = _text(
        _("Udtryk"),
        _("Sandt, når svaret er i orden, fx »enrolled <= pupils_8_9«."),
        textarea=True,
        max_length=2000,
    )
    severity = forms.ChoiceField(label=_("Alvor"), choices=SEVERITIES)
    scope = forms.ChoiceField(label=_("Gælder"), choices=SCOPES, required=False)
    show_at = forms.MultipleChoiceField(
        label=_("Vis beskeden ved"), required=False, widget=forms.CheckboxSelectMultiple
    )
    message_da = _text(
        _("Besked (dansk)"),
        _("Et tal kan vises med {nøgle}, fx »{share} af eleverne er tilmeldt«."),
        textarea=True,
    )
    message_en = _text(_("Besked (engelsk)"), textarea=True)

    def __init__(self, *args, question_keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["show_at"].choices = [(k, k) for k in question_keys]

    @classmethod
    def data_from(cls, item, revision):
        data = super().data_from(item, revision)
        data["show_at"] = data.pop("fields", [])
        return data

    def to_item(self):
        item = super().to_item()
        item["fields"] = item.pop("show_at", [])
        if item.get("scope") == "submission":
            item.pop("scope")
        return item

    def add_problems(self, problems, prefix):
        super().add_problems(
            [type(p)(p.path.replace(".fields", ".show_at"), p.message) for p in problems], prefix
        )


class HistoryForm(PartForm):
    BILINGUAL = ("message",)
    REQUIRED = ("key", "question", "max_change_percent", "message_da")
    key = forms.CharField(label=_("Nøgle"), max_length=60, required=False)
    question = forms.ChoiceField(label=_("Spørgsmål"), required=False)
    max_change_percent = NumberField(
        label=_("Største ændring i procent"),
        help_text=_("I forhold til kommunens svar i runden, der sammenlignes med."),
    )
    severity = forms.ChoiceField(label=_("Alvor"), choices=SEVERITIES)
    message_da = _text(_("Besked (dansk)"), textarea=True)
    message_en = _text(_("Besked (engelsk)"), textarea=True)

    def __init__(self, *args, number_keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = [("", "—")] + [(k, k) for k in number_keys]


class IndicatorForm(PartForm):
    BILINGUAL = ("label", "target_label")
    REQUIRED = ("key", "numerator", "denominator", "label_da")
    key = forms.CharField(label=_("Nøgle"), max_length=60, required=False)
    numerator = forms.ChoiceField(label=_("Tæller"), required=False)
    denominator = forms.ChoiceField(label=_("Nævner"), required=False)
    target = NumberField(label=_("Mål"), help_text=_("Som andel, fx 0,05 for 5 %."))
    thresholds = forms.CharField(
        label=_("Grænser"),
        required=False,
        help_text=_("Tal adskilt af semikolon, fx »0,02; 0,04«."),
    )
    label_da = _text(_("Tekst (dansk)"))
    label_en = _text(_("Tekst (engelsk)"))
    target_label_da = _text(_("Tekst til målet (dansk)"))
    target_label_en = _text(_("Tekst til målet (engelsk)"))

    def __init__(self, *args, number_keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("numerator", "denominator"):
            self.fields[name].choices = [("", "—")] + [(k, k) for k in number_keys]

    def clean_thresholds(self):
        parts = [p for p in re.split(r"[;\s]+", self.cleaned_data.get("thresholds") or "") if p]
        try:
            return [parse_number(p) for p in parts]
        except ValueError:
            raise forms.ValidationError(MSG_NOT_NUMBER, code="invalid")


FORMS = {
    "sections": SectionForm,
    "questions": QuestionForm,
    "derived": DerivedForm,
    "rules": RuleForm,
    "history_checks": HistoryForm,
    "indicators": IndicatorForm,
}
