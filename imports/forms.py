from django import forms
from django.utils.translation import gettext_lazy as _

from imports import services
from imports.models import Import
from imports.reader import MAX_FILE_BYTES


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fil"),
        help_text=_("CSV (UTF-8 eller dansk Excel med semikolon) eller XLSX, højst 50 MB."),
        error_messages={
            "required": _("Vælg en fil."),
            "empty": _("Filen er tom."),
            "invalid": _("Vælg en fil."),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:  # said early, in the service's words
            raise forms.ValidationError(services.too_large(upload.size))
        return upload


class ApplyForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Rækkerne bliver"),
        choices=[
            (Import.Mode.DRAFT, _("Kladder, som kommunen kan rette og indsende")),
            (
                Import.Mode.SUBMITTED,
                _("Indsendte — kun rækker uden fejl, hvor hver advarsel har en forklaring"),
            ),
        ],
        widget=forms.RadioSelect,
        initial=Import.Mode.DRAFT,
    )
    overwrite = forms.BooleanField(
        label=_("Overskriv svar, som kommunen selv har gemt"),
        required=False,
        help_text=_("Uden dette flueben bliver de kommuners svar stående, og de listes bagefter."),
    )
    notify = forms.BooleanField(
        label=_("Send kvittering til kommunens sagsbehandlere for indsendte rækker"),
        required=False,
    )

    def __init__(self, *args, unknown=(), choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unknown = []
        for i, (header, suggestions) in enumerate(unknown):
            name = f"map_{i}"
            self.fields[name] = forms.ChoiceField(
                label=_("Kolonnen »%(column)s«") % {"column": header},
                choices=[("", _("Ignorér kolonnen"))] + [(c, c) for c in choices],
                initial=suggestions[0] if suggestions else "",
                required=False,
            )
            self.unknown.append((name, header))

    def mapping(self):
        return {header: self.cleaned_data.get(name) or "" for name, header in self.unknown}
