"""The three-field date (day, month, year) of DKFDS and GOV.UK: the one home of how it is
read from a post, split back for showing and rendered (templates/includes/date_input_widget.html).

`DateInputField` is a DateField whose widget shows three text inputs named `<name>-day`,
`<name>-month`, `<name>-year` in a fieldset (templates/includes/field.html). A single posted
`<name>` ("2026-03-12" or "12-03-2026") is still read, so scripts and old links keep working.
The officer's form (submissions.forms), which is not a Django form, reads and shows its date
questions with the same `read_parts`, `split_parts` and `part_fields`.
"""

import datetime as dt
import re

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

PARTS = ("day", "month", "year")
LABELS = (_("Dag"), _("Måned"), _("År"))
MAX_PART = 20  # characters kept of each typed part (what was typed is shown back)
_SEPARATORS = re.compile(r"[-./ ]")


def read_parts(data, name: str) -> str | None:
    """The date posted in the three fields `<name>-day/-month/-year`, joined "d-m-yyyy" as
    typed ("" when all are empty), or None when the post has none of them."""
    if not any(f"{name}-{part}" in data for part in PARTS):
        return None
    parts = [(data.get(f"{name}-{part}") or "").strip()[:MAX_PART] for part in PARTS]
    return "-".join(parts) if any(parts) else ""


def split_parts(value) -> tuple[str, str, str]:
    """(day, month, year) to show in the three fields: from a date, an ISO date, or what was
    typed ("12-x-2026") split back into its fields, so nothing typed is lost."""
    if isinstance(value, dt.date):
        return (str(value.day), str(value.month), str(value.year))
    if not value or not isinstance(value, str):
        return ("", "", "")
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        parts = _SEPARATORS.split(value, maxsplit=2)
        return tuple(parts) if len(parts) == 3 else (value, "", "")
    return (str(date.day), str(date.month), str(date.year))


def part_fields(
    base_id: str, name: str, *, values, invalid: bool = False, required: bool = False
) -> list[dict]:
    """The three inputs as templates/includes/date_input_widget.html renders them."""
    return [
        {
            "part": part,
            "label": label,
            "name": f"{name}-{part}",
            "value": value,
            "attrs": {"id": f"{base_id}-{part}", "required": required},
            "invalid": invalid,
        }
        for part, label, value in zip(PARTS, LABELS, values, strict=True)
    ]


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
        return list(split_parts(value))

    def value_from_datadict(self, data, files, name):
        joined = read_parts(data, name)
        return data.get(name, "") if joined is None else joined

    def value_omitted_from_data(self, data, files, name):
        return name not in data and all(f"{name}-{part}" not in data for part in PARTS)

    def id_for_label(self, id_):
        return f"{id_}-day" if id_ else id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        attrs = {**self.attrs, **(attrs or {})}
        values = [sub["value"] for sub in context["widget"]["subwidgets"]]
        context["widget"]["subwidgets"] = part_fields(
            attrs.get("id") or name,
            name,
            values=[v or "" for v in values],
            invalid=attrs.get("aria-invalid") == "true",
            required=bool(attrs.get("required")),
        )
        return context


class DateInputField(forms.DateField):
    """A date typed in three fields; refused with a message that says what a date needs."""

    widget = DayMonthYearWidget
    input_formats = ["%d-%m-%Y", "%Y-%m-%d"]
    default_error_messages = {
        "invalid": _("Skriv en gyldig dato med dag, måned og år, fx 27 3 2026."),
    }
