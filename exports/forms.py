"""The exports page's form: which rounds, which format."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from exports.services import FORMATS, PDF_FORMATS, exportable_rounds
from surveys.models import Round, Survey


class RoundChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        label = f"{obj.survey.display_name} — {obj.title}"
        if not obj.is_closed:
            label += " " + str(_("(foreløbige tal: runden er ikke lukket)"))
        if obj.is_demo:
            label += " " + str(_("(demo)"))
        return label


class SurveyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name  # English when chosen and the survey has an English name


class ExportForm(forms.Form):
    rounds = RoundChoiceField(
        label=_("Runder"),
        queryset=Round.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        help_text=_("Vælg en eller flere runder af samme undersøgelse; de stables i én fil."),
    )
    survey = SurveyChoiceField(
        label=_("Eller: alle runder af en undersøgelse"),
        queryset=Survey.objects.all(),
        required=False,
        empty_label=_("— ingen —"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        initial="csv",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["rounds"].queryset = exportable_rounds(user)
        english = (get_language() or "da").startswith("en")
        self.fields["format"].choices = [
            (key, value[1] if english else value[0]) for key, value in FORMATS.items()
        ]

    def clean(self):
        data = super().clean()
        rounds = list(data.get("rounds") or [])
        survey = data.get("survey")
        if not rounds and survey is not None:
            rounds = list(exportable_rounds(self.user).filter(survey=survey))
            if not rounds:
                raise forms.ValidationError(_("Undersøgelsen har ingen åbne eller lukkede runder."))
        if not rounds:
            self.add_error("rounds", _("Vælg mindst én runde."))
            return data
        if survey is not None and any(r.survey_id != survey.id for r in rounds):
            self.add_error("survey", _("De valgte runder hører ikke til denne undersøgelse."))
        if len({r.survey_id for r in rounds}) > 1:
            self.add_error("rounds", _("Runder fra forskellige undersøgelser kan ikke stables."))
        if data.get("format") in PDF_FORMATS and len(rounds) > 1:
            self.add_error("format", _("Rapporten laves for én runde ad gangen."))
        data["round_list"] = rounds
        return data
