"""The three-field date (day, month, year) of DKFDS and GOV.UK, for Django forms.

`DateInputField` is a DateField whose widget shows three text inputs named `<name>-day`,
`<name>-month`, `<name>-year` in a fieldset (templates/includes/field.html). A single posted
`<name>` ("2026-03-12" or "12-03-2026") is still read, so scripts and old links keep working.
"""

import datetime as dt

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

PARTS = ("day", "month", "year")


class DayMonthYearWidget(forms.MultiWidget):
    template_name = "includes/date_input_widget.html"
    use_fieldset = True

    def __init__(self, attrs=None):
        widgets = {
            part: forms.TextInput(
                attrs={
                    "class": "form-input",
                    "inputmode": "numeric",
                    "maxlength": "4" if part == "year" else "2",
                }
            )
            for part in PARTS
        }
        super().__init__(widgets, attrs)
        self.widgets_names = [f"-{part}" for part in PARTS]

    def _render(self, template_name, context, renderer=None):
        # Our template lives in the project's templates/, which the default form renderer
        # does not read; TemplatesSetting renders with the project's template settings.
        return super()._render(template_name, context, renderer=TemplatesSetting())

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, str) and value.count("-") == 2:
            first, second, third = value.split("-")
            return [third, second, first] if len(first) == 4 else [first, second, third]
        return ["", "", ""]

    def value_from_datadict(self, data, files, name):
        if not any(f"{name}-{part}" in data for part in PARTS) and name in data:
            return data.get(name)
        parts = [(data.get(f"{name}-{part}") or "").strip()[:10] for part in PARTS]
        return "-".join(parts) if any(parts) else ""

    def value_omitted_from_data(self, data, files, name):
        return name not in data and all(f"{name}-{part}" not in data for part in PARTS)

    def id_for_label(self, id_):
        return f"{id_}-day" if id_ else id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        labels = (_("Dag"), _("Måned"), _("År"))
        base_id = (attrs or {}).get("id") or self.attrs.get("id")
        for part, label, sub in zip(PARTS, labels, context["widget"]["subwidgets"], strict=True):
            sub["label"] = label
            sub["part"] = part
            if base_id:
                sub["attrs"]["id"] = f"{base_id}-{part}"
        return context


class DateInputField(forms.DateField):
    """A date typed in three fields; refused with a message that says what a date needs."""

    widget = DayMonthYearWidget
    input_formats = ["%d-%m-%Y", "%Y-%m-%d"]
    default_error_messages = {
        "invalid": _("Skriv en gyldig dato med dag, måned og år, fx 27 3 2026."),
    }
