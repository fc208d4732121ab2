"""Forms and the board filter for the coordinator's tracking pages. They only parse input; the
rules live in submissions.reminders / chase / review / services."""

import django_filters
from django import forms
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from submissions.tracking import BoardState
from surveys.models import Municipality


class NullsLastOrdering(django_filters.OrderingFilter):
    """Sorting by any board column; empty values last in both directions, code as tiebreak."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        name = self.param_map.get(param.lstrip("-"), param.lstrip("-"))
        expr = F(name)
        return expr.desc(nulls_last=True) if descending else expr.asc(nulls_last=True)

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "code")
        return qs


SORT_FIELDS = {
    "name": "name",
    "code": "code",
    "state_rank": "state",
    "region_name": "region",
    "dst_group": "group",
    "last_activity_at": "activity",
    "submitted_at": "submitted",
    "officer_count": "officers",
    "reminders_sent": "reminders",
    "last_reminder_at": "last_reminder",
    "last_note_on": "note",
}


def _region_choices():
    return list(
        Municipality.objects.filter(is_synthetic=False)
        .order_by("region_name")
        .values_list("region_name", "region_name")
        .distinct()
    )


def _group_choices():
    return list(
        Municipality.objects.filter(is_synthetic=False)
        .order_by("dst_group")
        .values_list("dst_group", "dst_group")
        .distinct()
    )


class BoardFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=BoardState.choices
        + [("missing", _("Mangler (ikke indsendt)")), ("review", _("Venter på godkendelse"))],
        method="filter_state",
        empty_label=_("Alle"),
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"), field_name="region_name", choices=_region_choices, empty_label=_("Alle")
    )
    group = django_filters.ChoiceFilter(
        label=_("Kommunegruppe"),
        field_name="dst_group",
        choices=_group_choices,
        empty_label=_("Alle"),
    )
    sort = NullsLastOrdering(fields=SORT_FIELDS, label=_("Sortering"))

    class Meta:
        model = Municipality
        fields = []

    def filter_state(self, qs, name, value):
        if value == "missing":
            return qs.filter(board_state__in=BoardState.NOT_RESPONDED)
        if value == "review":
            return qs.filter(board_state__in=BoardState.AWAITING_REVIEW)
        return qs.filter(board_state=value)


class ReminderForm(forms.Form):
    subject = forms.CharField(label=_("Emne"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Tekst"),
        required=False,
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
    subject = forms.CharField(label=_("Emne"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Tekst"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=ReminderForm.base_fields["body"].help_text,
    )


class NoteForm(forms.Form):
    noted_on = forms.DateField(
        label=_("Dato"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Hvornår skete det?"),
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
    email = forms.EmailField(label=_("E-mail"), required=False)
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
