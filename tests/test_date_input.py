"""The three-field date has one home (lib/date_input.py): Django forms (the chase note, the
round form, the audit-log filter) and the officer's form read a post, show it back and render
the three inputs with the same functions and the same template."""

import pytest
from django.http import QueryDict

from lib.date_input import DateInputField, read_parts, split_parts


@pytest.mark.parametrize(
    "posted, joined, shown",
    [
        ({"d-day": "4", "d-month": "3", "d-year": "2026"}, "4-3-2026", ("4", "3", "2026")),
        ({"d-day": " 31 ", "d-month": "13", "d-year": "2026"}, "31-13-2026", ("31", "13", "2026")),
        ({"d-day": "", "d-month": "", "d-year": ""}, "", ("", "", "")),
        ({"d-day": "x" * 50}, "x" * 20 + "--", ("x" * 20, "", "")),
        ({"d": "2026-03-12"}, None, ("12", "3", "2026")),
    ],
)
def test_a_posted_date_is_read_and_shown_back_the_same_way_everywhere(posted, joined, shown):
    from django import forms

    from submissions.forms import ANSWER_PREFIX

    data = QueryDict(mutable=True)
    data.update(posted)
    assert read_parts(data, "d") == joined

    class Form(forms.Form):
        d = DateInputField(required=False)

    widget_value = Form().fields["d"].widget.value_from_datadict(data, None, "d")
    assert widget_value == (joined if joined is not None else posted["d"])
    assert split_parts(widget_value) == shown
    assert ANSWER_PREFIX  # the officer's form reads `q-<key>` with the same read_parts


def test_the_officers_form_and_a_django_form_render_the_same_three_inputs(db):
    from django import forms

    from submissions.forms import FieldView

    class Form(forms.Form):
        d = DateInputField()

    django_html = str(Form({"d-day": "31", "d-month": "13", "d-year": "2026"})["d"])
    view = FieldView(
        key="d", type="date", name="d", id="id_d", label="", help="", unit="", required=True
    )
    view.date = ("31", "13", "2026")
    from django.template.loader import render_to_string

    officer_html = render_to_string("includes/date_input_widget.html", {"widget": view.date_widget})
    for part, value in (("day", "31"), ("month", "13"), ("year", "2026")):
        snippet = f'name="d-{part}" id="id_d-{part}" value="{value}"'
        assert snippet in django_html and snippet in officer_html
