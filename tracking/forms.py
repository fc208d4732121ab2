"""Forms and the board filter for the coordinator's tracking pages. They only parse input; the
rules live in tracking.reminders / chase / review / services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.date_input import DateInputField
from lib.text import pick
from reference.models import KOMMUNER, Municipality
from surveys.lifecycle import attribute_values
from tracking import chase
from tracking.board import SORT_KEYS, BoardState


def _region_choices():
    return list(
        Municipality.objects.municipalities()
        .order_by("region_name")
        .values_list("region_name", "region_name")
        .distinct()
    )


def _group_choices():
    return list(
        Municipality.objects.municipalities()
        .order_by("dst_group")
        .values_list("dst_group", "dst_group")
        .distinct()
    )


class BoardFilterForm(forms.Form):
    """The board's filters and sort. Only parses: the rows are filtered and sorted by
    tracking.board.filter_rows / sort_rows. A value that does not validate is ignored
    (the other fields still apply)."""

    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Alle"))]
        + BoardState.choices
        + [("missing", _("Mangler (ikke indsendt)")), ("review", _("Venter på godkendelse"))],
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    group = forms.ChoiceField(label=_("Kommunegruppe"), required=False)
    # Comma-separated columns (SORT_KEYS), each optionally descending: "state,-activity".
    sort = forms.CharField(label=_("Sortering"), required=False)

    def __init__(self, *args, round_=None, **kwargs):
        """`round_`: a round of another register than the municipalities gets one filter per
        categorical attribute of its register instead of region and municipality group."""
        super().__init__(*args, **kwargs)
        self.attribute_keys = []
        self.labels = {}  # attribute key → {value: label}
        register = round_.survey.register if round_ is not None else None
        if register is not None and register.key != KOMMUNER:
            del self.fields["region"], self.fields["group"]
            self._attribute_fields(round_, register)
            return
        # Read once per form: a callable would be queried again each time it is iterated.
        self.fields["region"].choices = [("", _("Alle")), *_region_choices()]
        self.fields["group"].choices = [("", _("Alle")), *_group_choices()]

    def _attribute_fields(self, round_, register):
        # The values the round's recipients have, labelled as the round form labels them.
        for spec, values in attribute_values(register, members=round_.recipients.all()):
            key = spec["key"]
            labels = dict(values)
            self.labels[key] = labels
            self.attribute_keys.append(key)
            self.fields[f"attr_{key}"] = forms.ChoiceField(
                label=pick(spec.get("label") or {}) or key,
                required=False,
                choices=[("", _("Alle")), *sorted(labels.items(), key=lambda kv: kv[1])],
            )

    def clean_sort(self):
        value = self.cleaned_data["sort"]
        if not value:
            return []
        params = value.split(",")
        if any(p.removeprefix("-") not in SORT_KEYS for p in params):
            raise forms.ValidationError("unknown column")
        return params

    def values(self):
        """The valid fields' values; an invalid or missing one is None (no filter)."""
        data = {}
        if self.is_bound:
            self.is_valid()  # cleaned_data then holds the fields that validated
            data = self.cleaned_data
        return {
            "state": data.get("state") or None,
            "region": data.get("region") or None,
            "group": data.get("group") or None,
            "attributes": {k: data.get(f"attr_{k}") for k in self.attribute_keys},
            "sort": data.get("sort") or [],
        }

    def is_filtered(self, params):
        """Whether any filter was asked for in `params` (the query string)."""
        names = ["state", "region", "group", *(f"attr_{k}" for k in self.attribute_keys)]
        return any(params.get(name) for name in names)


class ReminderForm(forms.Form):
    subject = forms.CharField(
        label=_("Emne"),
        max_length=200,
        error_messages={"required": _("Skriv e-mailens emne.")},
    )
    body = forms.CharField(
        label=_("Tekst"),
        error_messages={"required": _("Skriv e-mailens tekst.")},
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Variabler: {round} rundens navn, {deadline} fristen, {link} direkte link til "
            "kommunens skema, {municipality} kommunens navn."
        ),
    )
    nonce = forms.CharField(widget=forms.HiddenInput, max_length=64)
    target = forms.ChoiceField(
        choices=[("selected", "selected"), ("all", "all")], widget=forms.HiddenInput
    )
    m = forms.MultipleChoiceField(required=False, widget=forms.MultipleHiddenInput)

    def __init__(self, *args, codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["m"].choices = [(c, c) for c in codes]


class ReminderSettingsForm(forms.Form):
    offsets = forms.CharField(
        label=_("Automatiske påmindelser (dage i forhold til fristen)"),
        required=False,
        max_length=200,
        help_text=_(
            "Fx «-7, -1, 1»: 7 dage og 1 dag før fristen og 1 dag efter. Tomt felt: ingen "
            "automatiske påmindelser."
        ),
    )
    subject = ReminderForm.base_fields["subject"]
    body = ReminderForm.base_fields["body"]


class NoteForm(forms.Form):
    noted_on = DateInputField(
        label=_("Dato"),
        initial=timezone.localdate,
        help_text=_("Hvornår skete det? Fx 27 3 2026."),
    )
    text = forms.CharField(
        label=_("Note"),
        max_length=4000,
        error_messages={"required": _("Skriv noten.")},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Fx «Ringede til skolechefen 12/3, lovet svar fredag»."),
    )


class ContactForm(forms.Form):
    name = forms.CharField(
        label=_("Navn"),
        max_length=200,
        error_messages={"required": _("Skriv kontaktpersonens navn.")},
    )
    title = forms.CharField(label=_("Stilling"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=chase.MAX_EMAIL)
    phone = forms.CharField(label=_("Telefon"), max_length=40, required=False)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Begrundelse"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Fortæl kommunen, hvad der skal rettes. Teksten sendes til kommunen."),
    )


class BulkAcceptForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(i, i) for i in ids]
