"""The coordinator's round form: survey, title, slug, dates, previous round, recipients (all,
a chosen subset by checkbox grouped by region, or a pasted list of codes)."""

import datetime as dt
from itertools import groupby

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.date_input import DateInputField
from lib.query import whole_number
from lib.text import lower_first, pick
from reference.models import KOMMUNER, Municipality, Selection
from surveys import lifecycle
from surveys.models import Round, Survey, validate_round_title

DATE_FORMATS = ["%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d"]


def end_of_day(date):
    return timezone.make_aware(dt.datetime.combine(date, dt.time(23, 59)))


def start_of_day(date):
    return timezone.make_aware(dt.datetime.combine(date, dt.time(0, 0)))


class SelectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.register.display_name})"


class RoundForm(forms.Form):
    RECIPIENTS_ALL, RECIPIENTS_CHOSEN, RECIPIENTS_CODES = "all", "chosen", "codes"
    RECIPIENTS_SELECTION, RECIPIENTS_ATTRIBUTE = "selection", "attribute"

    survey = forms.ModelChoiceField(
        label=_("Undersøgelse"),
        queryset=Survey.objects.filter(definitions__isnull=False).distinct(),
        empty_label=None,
    )
    title = forms.CharField(
        label=_("Titel"),
        max_length=200,
        help_text=_("Fx »Februar 2026«."),
        validators=[validate_round_title],
    )
    slug = forms.SlugField(
        label=_("Kort navn til adressen"),
        max_length=80,
        required=False,
        help_text=_(
            "Rundens navn i internetadressen, fx …/runder/juniormesterlaere-februar-2026/. "
            "Lad feltet stå tomt, så laver vi det ud fra undersøgelsen og titlen. "
            "Brug kun små bogstaver a-z, tal og bindestreg (æ, ø, å skrives ae, oe, aa)."
        ),
        error_messages={
            "invalid": _(
                "Brug kun små bogstaver a-z, tal og bindestreg i det korte navn "
                "(æ, ø, å skrives ae, oe, aa)."
            )
        },
    )
    opens_at = DateInputField(
        label=_("Åbner"),
        required=False,
        input_formats=DATE_FORMATS,
        help_text=_(
            "Fx 27 3 2026. Når du åbner runden, kan du vælge at åbne den nu eller automatisk "
            "på denne dato."
        ),
    )
    deadline = DateInputField(
        label=_("Frist"),
        input_formats=DATE_FORMATS,
        help_text=_("Fx 27 3 2026. Fristen er kl. 23.59 den dag."),
    )
    previous = forms.ModelChoiceField(
        label=_("Sammenlign med runde"),
        required=False,
        queryset=Round.objects.select_related("survey").order_by("-deadline"),
        help_text=_("Historikkontroller sammenligner med kommunens svar i denne runde."),
    )
    recipients_mode = forms.ChoiceField(
        label=_("Modtagere"),
        widget=forms.RadioSelect,
        initial=RECIPIENTS_ALL,
        choices=[
            (
                RECIPIENTS_ALL,
                _("Alle 98 kommuner (eller alle medlemmer af undersøgelsens register)"),
            ),
            (RECIPIENTS_CHOSEN, _("Udvalgte modtagere (vælg nedenfor)")),
            (RECIPIENTS_CODES, _("Indsæt kommunekoder")),
            (RECIPIENTS_SELECTION, _("Et gemt udvalg (vælg nedenfor)")),
            (
                RECIPIENTS_ATTRIBUTE,
                _("Medlemmer med en bestemt egenskab, fx en region (vælg nedenfor)"),
            ),
        ],
    )
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Udvalgte modtagere"),  # in the register's noun once the survey is known
        required=False,
        widget=forms.CheckboxSelectMultiple,
        # The members of every register a survey is asked of (the survey is chosen in this
        # form); clean refuses members of another register than the chosen survey's.
        queryset=Municipality.objects.filter(
            register__in=lifecycle.registers_asked_of(), is_active=True, is_synthetic=False
        )
        .select_related("register")
        .order_by("region_code", "name"),
    )
    codes = forms.CharField(
        label=_("Kommunekoder"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Én kode pr. linje eller adskilt af komma, fx 101, 157, 360. For en undersøgelse "
            "stillet til et andet register: medlemmernes koder i det register."
        ),
    )
    selection = SelectionChoiceField(
        label=_("Gemt udvalg"),
        required=False,
        # The selections of every register a survey is asked of (the survey is chosen in this
        # form); the lifecycle refuses one of another register than the chosen survey's.
        queryset=Selection.objects.filter(register__in=lifecycle.registers_asked_of())
        .select_related("register")
        .order_by("register__name", "name"),
        help_text=_(
            "Bruges, når »Et gemt udvalg« er valgt. Udvalget skal høre til undersøgelsens "
            "register; udvalg gemmes på registrets side."
        ),
    )

    attribute_values = forms.MultipleChoiceField(
        label=_("Medlemmer med …"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Bruges, når »Medlemmer med en bestemt egenskab« er valgt: sæt kryds ved en eller "
            "flere værdier af én egenskab i undersøgelsens register, fx Region Midtjylland og "
            "Region Nordjylland. Runden sendes til de aktive medlemmer, der har en af dem."
        ),
    )

    def __init__(self, *args, round_=None, **kwargs):
        """`round_`: the draft being edited (its own slug is not 'taken')."""
        self.round = round_
        data = args[0] if args else kwargs.get("data")
        if round_ is not None and data is None:
            kwargs["initial"] = self.initial_for(round_)
        super().__init__(*args, **kwargs)
        # The survey's name in the interface language (its English name on English pages).
        self.fields["survey"].label_from_instance = lambda survey: survey.display_name
        self.fields["previous"].label_from_instance = lambda r: (
            f"{r.survey.display_name} — {r.title}"
        )
        # The categorical attributes of every register a survey is asked of, and the values
        # their members have (the survey is chosen in this form, so all of them are listed;
        # clean keeps those of the chosen survey's register).
        self._attribute_groups = [
            (register, spec, pairs)
            for register in lifecycle.registers_asked_of().order_by("name")
            for spec, pairs in lifecycle.attribute_values(register)
            if pairs
        ]
        self.fields["attribute_values"].choices = [
            (self._attribute_choice(register, spec, value), label)
            for register, spec, pairs in self._attribute_groups
            for value, label in pairs
        ]
        if round_ is not None:
            self.fields["previous"].queryset = self.fields["previous"].queryset.exclude(
                pk=round_.pk
            )
        self._name_recipients(self._known_register())

    def _known_register(self):
        """The register of the survey this form is for, when it is known already: the draft's,
        the posted or the preset survey's (None: not chosen yet — the page lists every
        register a survey is asked of)."""
        if self.round is not None:
            return self.round.survey.register
        chosen = self.data.get("survey") if self.is_bound else self.initial.get("survey")
        if isinstance(chosen, Survey):
            return chosen.register
        pk = chosen if isinstance(chosen, int) else whole_number(chosen)
        if pk is None:
            return None
        survey = Survey.objects.filter(pk=pk).select_related("register").first()
        return survey.register if survey is not None else None

    def _name_recipients(self, register):
        """The recipient choices in the register's own noun (»Udvalgte erhvervsskoler«), or
        »modtagere« while the survey is not chosen; the template's hint repeats the label."""
        name = register.display_name if register is not None else ""
        # A register's name is a plural noun: »Erhvervsskoler« → »udvalgte erhvervsskoler«.
        members = lower_first(name) if name else _("modtagere")
        self.chosen_label = _("Udvalgte %(members)s") % {"members": members}
        self.fields["municipalities"].label = self.chosen_label
        choices = dict(self.fields["recipients_mode"].choices)
        choices[self.RECIPIENTS_CHOSEN] = _("Udvalgte %(members)s (vælg nedenfor)") % {
            "members": members
        }
        if register is not None:
            choices[self.RECIPIENTS_ALL] = _("Alle %(count)s %(members)s") % {
                "count": lifecycle.members_of(register).count(),
                "members": members,
            }
        self.fields["recipients_mode"].choices = list(choices.items())

    @classmethod
    def initial_for(cls, round_):
        recipients = list(round_.recipients.values_list("pk", flat=True))
        everyone = lifecycle.members_of(round_.survey.register).count()
        return {
            "survey": round_.survey_id,
            "title": round_.title,
            "slug": round_.slug,
            "opens_at": timezone.localtime(round_.opens_at).date() if round_.opens_at else None,
            "deadline": timezone.localtime(round_.deadline).date(),
            "previous": round_.previous_id,
            "recipients_mode": cls.RECIPIENTS_ALL
            if len(recipients) == everyone
            else cls.RECIPIENTS_CHOSEN,
            "municipalities": recipients,
        }

    def clean(self):
        """Parse the recipients into codes and show every rule the round breaks (the rules are
        surveys.lifecycle's, the same for the API)."""
        data = super().clean()
        if not data.get("slug") and data.get("survey") and data.get("title"):
            data["slug"] = lifecycle.suggest_slug(
                survey=data["survey"], title=data["title"], editing=self.round
            )
        mode = data.get("recipients_mode")
        if mode == self.RECIPIENTS_ALL:
            data["recipients"] = lifecycle.ALL
        elif mode == self.RECIPIENTS_CHOSEN:
            chosen = data.get("municipalities") or []
            survey = data.get("survey")
            register_id = survey.register_id if survey is not None else None
            others = [m for m in chosen if register_id is not None and m.register_id != register_id]
            if others:
                self.add_error(
                    "municipalities",
                    _("Vælg medlemmer af undersøgelsens register (%(register)s): %(codes)s")
                    % {
                        "register": survey.register.display_name,
                        "codes": ", ".join(f"{m.name} ({m.code})" for m in others[:20]),
                    },
                )
            else:
                data["recipients"] = [m.code for m in chosen]
        elif mode == self.RECIPIENTS_CODES:
            data["recipients"] = lifecycle.split_codes(data.get("codes"))
        elif mode == self.RECIPIENTS_SELECTION:
            if data.get("selection") is None:
                if "selection" not in self.errors:
                    self.add_error("selection", _("Vælg et gemt udvalg."))
            else:  # one of another register is refused by the lifecycle, naming both
                data["recipients"] = {"selection": data["selection"]}
        elif mode == self.RECIPIENTS_ATTRIBUTE:
            data["recipients"] = self._chosen_attribute(data)
        self.add_problems(lifecycle.round_problems(**self._rule_input(data), editing=self.round))
        return data

    @staticmethod
    def _attribute_choice(register, spec, value):
        return f"{register.key}:{spec['key']}:{value}"

    def _chosen_attribute(self, data):
        """The ticked values as {"attribute", "values"} for the lifecycle (`members_with`);
        values of another register than the survey's, or of two attributes: an error here."""
        survey = data.get("survey")
        register_key = survey.register.key if survey is not None else KOMMUNER
        chosen = [c.split(":", 2) for c in data.get("attribute_values") or []]
        attributes = list(dict.fromkeys(a for _r, a, _v in chosen))
        if not chosen:
            self.add_error("attribute_values", _("Sæt kryds ved mindst én værdi."))
            return None
        if any(r != register_key for r, _a, _v in chosen):
            self.add_error(
                "attribute_values",
                _("Vælg værdier fra undersøgelsens register (%(register)s).")
                % {"register": survey.register.display_name if survey else KOMMUNER},
            )
            return None
        if len(attributes) > 1:
            self.add_error("attribute_values", _("Vælg værdier af én egenskab ad gangen."))
            return None
        return {
            "attribute": attributes[0],
            "values": [v for _r, _a, v in chosen],
        }

    def attribute_groups(self):
        """The attribute checkboxes grouped by register and attribute (for the template):
        [(register, label, [(choice value, label, checked)])]."""
        chosen = set(self["attribute_values"].value() or [])
        return [
            (
                register,
                pick(spec.get("label")) or spec["key"],
                [
                    (choice, label, choice in chosen)
                    for value, label in pairs
                    if (choice := self._attribute_choice(register, spec, value))
                ],
            )
            for register, spec, pairs in self._attribute_groups
        ]

    def _rule_input(self, data):
        opens_at, deadline = data.get("opens_at"), data.get("deadline")
        return {
            "survey": data.get("survey"),
            "slug": data.get("slug"),
            "deadline": end_of_day(deadline) if deadline else None,
            "opens_at": start_of_day(opens_at) if opens_at else None,
            "previous": data.get("previous"),
            "recipients": data.get("recipients"),
        }

    def add_problems(self, problems):
        """The lifecycle's problems beside this form's fields (recipients: beside the field of
        the chosen way to give them)."""
        mode = self.cleaned_data.get("recipients_mode")
        for problem in problems:
            field, message = problem.field, problem.message
            if field == "recipients":
                field = {
                    self.RECIPIENTS_CHOSEN: "municipalities",
                    self.RECIPIENTS_CODES: "codes",
                    self.RECIPIENTS_SELECTION: "selection",
                    self.RECIPIENTS_ATTRIBUTE: "attribute_values",
                }.get(mode, "recipients_mode")
                if field == "codes" and problem.code == "empty":
                    message = _("Skriv mindst én kommunekode.")
            if field not in self.fields:
                field = None
            if field is None or field not in self.errors:
                self.add_error(field, message)

    def round_kwargs(self):
        d = self.cleaned_data
        rule_input = self._rule_input(d)
        return {
            "survey": d["survey"],
            "title": d["title"],
            "slug": d["slug"],
            "deadline": rule_input["deadline"],
            "opens_at": rule_input["opens_at"],
            "previous": d.get("previous"),
            "recipients": d["recipients"],
        }

    def municipality_groups(self):
        """The recipient checkboxes grouped (for the template): the municipalities by region,
        then the members of each other register a survey is asked of, by register."""
        field = self["municipalities"]
        chosen = {str(v) for v in (field.value() or [])}
        members = list(self.fields["municipalities"].queryset)
        municipal = [m for m in members if m.register.key == KOMMUNER]
        others = sorted(
            (m for m in members if m.register.key != KOMMUNER),
            key=lambda m: (m.register.display_name, m.code),
        )
        return [
            (region, [(m, str(m.pk) in chosen) for m in group])
            for region, group in groupby(municipal, key=lambda m: m.region_name)
        ] + [
            (register, [(m, str(m.pk) in chosen) for m in group])
            for register, group in groupby(others, key=lambda m: m.register.display_name)
        ]


class HistoricalRoundForm(RoundForm):
    """An earlier round whose answers exist only as a table (issue 15): the round form without
    an opening date, and a reference date in the past instead of a deadline. The round is
    created closed and never sent (surveys.lifecycle.create_historical_round)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["opens_at"]
        self.fields["deadline"].label = _("Referencedato")
        self.fields["deadline"].help_text = _(
            "Den dag tallene gælder for, fx 30 9 2025. Den skal ligge i fortiden."
        )

    def clean(self):
        data = super().clean()
        day = data.get("deadline")
        if day and day > timezone.localdate() and "deadline" not in self.errors:
            self.add_error("deadline", lifecycle.MSG_REFERENCE_DATE_FUTURE)
        return data

    def add_problems(self, problems):
        super().add_problems(
            [
                lifecycle.Problem("deadline", p.code, p.message)
                if p.field == "reference_date"
                else p
                for p in problems
            ]
        )

    def round_kwargs(self):
        kwargs = super().round_kwargs()
        del kwargs["opens_at"], kwargs["deadline"]
        kwargs["reference_date"] = self.cleaned_data["deadline"]
        return kwargs
