"""Forms of the register pages (surveys/register_views.py). They only parse; the rules are
surveys.registers' and reference.member_import's."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from lib.text import pick
from reference.models import Organisation

MAX_UPLOAD = 5 * 1024 * 1024

ATTRIBUTES_HELP = _(
    "En liste i JSON, én egenskab pr. element: nøgle, etiket (dansk og engelsk), type (text, "
    "integer, decimal eller code), for koder hvilket register de peger på, og om værdierne "
    'grupperer medlemmerne. Fx [{"key": "region", "label": {"da": "Region", "en": "Region"}, '
    '"type": "code", "register": "regioner", "categorical": true}]. Lad feltet stå tomt for '
    "ingen egenskaber."
)


class RegisterForm(forms.Form):
    key = forms.CharField(
        label=_("Nøgle"),
        max_length=40,
        help_text=_("Små bogstaver a-z, tal og bindestreg, fx erhvervsskoler. Kan ikke ændres."),
    )
    name = forms.CharField(label=_("Navn"), max_length=200)
    name_en = forms.CharField(label=_("Navn på engelsk"), max_length=200, required=False)
    code_pattern = forms.CharField(
        label=_("Mønster for koder"),
        max_length=200,
        initial="[0-9]{1,6}",
        help_text=_(
            "Et regulært udtryk, som hver kode skal passe til, fx [0-9]{6} for seks cifre. "
            "Koder består altid af store bogstaver A-Z, tal, - og _."
        ),
    )
    attributes = forms.CharField(
        label=_("Egenskaber"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=ATTRIBUTES_HELP,
    )
    has_geometry = forms.BooleanField(label=_("Medlemmerne kan vises på et kort"), required=False)

    def clean_attributes(self):
        value = (self.cleaned_data["attributes"] or "").strip()
        if not value:
            return []
        try:
            return json.loads(value)
        except ValueError:
            raise forms.ValidationError(_("Egenskaberne er ikke gyldig JSON.")) from None


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fil med medlemmer (CSV eller XLSX)"),
        help_text=_(
            "Første række: code, name og én kolonne pr. egenskab (kode og navn må hedde kode og "
            "navn). CSV fra dansk Excel (semikolon, Windows-tegnsæt) kan bruges som den er."
        ),
    )
    remove_missing = forms.BooleanField(
        label=_("Fjern medlemmer, der ikke står i filen"),
        required=False,
        initial=True,
        help_text=_("Medlemmer med besvarelser eller sagsbehandlere deaktiveres, de slettes ikke."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("Filen er større end 5 MB."))
        name = upload.name.lower()
        if not name.endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(_("Vælg en CSV- eller XLSX-fil."))
        return upload


class MemberForm(forms.Form):
    """Code, name, active and one text field per attribute of the register."""

    code = forms.CharField(label=_("Kode"), max_length=20)
    name = forms.CharField(label=_("Navn"), max_length=200)
    is_active = forms.BooleanField(label=_("Aktiv"), required=False, initial=True)

    def __init__(self, *args, register, member: Organisation | None = None, **kwargs):
        if member is not None:  # also when posted: the disabled code is read from it
            kwargs["initial"] = {
                "code": member.code,
                "name": member.name,
                "is_active": member.is_active,
                **{f"attr_{k}": v for k, v in (member.attributes or {}).items()},
            }
        super().__init__(*args, **kwargs)
        self.register = register
        if member is not None:
            self.fields["code"].disabled = True
        for spec in register.attribute_specs():
            label = pick(spec.get("label") or {}) or spec["key"]  # English on English pages
            self.fields[f"attr_{spec['key']}"] = forms.CharField(
                label=label, required=False, max_length=200
            )

    def values(self):
        return {
            spec["key"]: str(self.cleaned_data.get(f"attr_{spec['key']}") or "")
            for spec in self.register.attribute_specs()
        }


class SelectionForm(forms.Form):
    name = forms.CharField(label=_("Navn på udvalget"), max_length=200)
    codes = forms.CharField(
        label=_("Koder"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Medlemmernes koder, én pr. linje eller adskilt af komma, fx 101, 157, 360."),
    )
