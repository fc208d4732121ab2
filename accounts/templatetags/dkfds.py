"""Render Django form widgets with the classes and ARIA wiring of Det Fælles Designsystem.

Used by the allauth element templates (templates/allauth/elements/) and our own forms, so every
input on the site carries `form-input`/`form-select`/`form-checkbox`, points at its hint and
error message with `aria-describedby`, and says `aria-invalid` when it has an error.
"""

from django import forms, template
from django.forms.boundfield import BoundWidget

register = template.Library()


def widget_class(widget):
    if isinstance(widget, forms.CheckboxInput):
        return "form-checkbox"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return ""
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-input"


def described_by(bound_field):
    ids = []
    if bound_field.errors:
        ids.append(f"{bound_field.auto_id}-error")
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}-hint")
    return " ".join(ids)


@register.simple_tag
def dkfds_widget(bound_field, extra_class=""):
    """The field's widget with DKFDS classes and aria attributes; placeholders are dropped
    because DKFDS labels every field visibly and placeholders vanish while typing."""
    widget = bound_field.field.widget
    classes = [widget.attrs.get("class", ""), widget_class(widget), extra_class]
    attrs = {"class": " ".join(c for c in classes if c), "placeholder": False}
    describedby = described_by(bound_field)
    if describedby:
        attrs["aria-describedby"] = describedby
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def dkfds_options(bound_field):
    """The options of radio buttons or checkboxes as DKFDS draws them: each input with
    `form-radio`/`form-checkbox`, its label beside it (not around it: DKFDS hides the native
    input and draws it on the label), or None for any other widget."""
    widget = bound_field.field.widget
    if not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return None
    css = "form-radio" if isinstance(widget, forms.RadioSelect) else "form-checkbox"
    attrs = {"class": css}
    if bound_field.auto_id:
        attrs["id"] = bound_field.auto_id
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    attrs = bound_field.build_widget_attrs(attrs)
    value = widget.format_value(bound_field.value())
    renderer = bound_field.form.renderer
    return [
        BoundWidget(widget, option, renderer)
        for option in widget.subwidgets(bound_field.html_name, value, attrs)
    ]


@register.filter
def dkfds_kind(bound_field):
    """'hidden', 'checkbox', 'fieldset' or 'input': which DKFDS form-group pattern the field
    uses. 'fieldset' is a widget of several inputs (Django's `use_fieldset`: the DKFDS date,
    radio buttons, checkboxes), named by a legend instead of a label."""
    widget = bound_field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if widget.use_fieldset:
        return "fieldset"
    return "input"


@register.filter
def squash(value):
    """Collapse runs of whitespace (allauth's head_title blocks are indented over lines)."""
    return " ".join(str(value).split())


@register.inclusion_tag("includes/breadcrumbs.html")
def breadcrumbs(*trail):
    """The one breadcrumb trail: label and URL of each page on the way, then the current
    page's label, e.g. `{% breadcrumbs _("Runder") list_url round.title %}`."""
    *pairs, current = trail
    if len(pairs) % 2:
        raise template.TemplateSyntaxError("breadcrumbs takes (label, url) pairs, then a label")
    return {"links": list(zip(pairs[::2], pairs[1::2], strict=True)), "current": current}
