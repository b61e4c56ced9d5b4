"""What the shared field and form partials need beyond Django's own rendering (templates/partials)."""

from __future__ import annotations

from django import template
from django.forms import BoundField, Form
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def widget_marked(field: BoundField) -> SafeString:
    """The field's widget, marked required for assistive technology where HTML can't say it.

    Django leaves `required` off a select whose first choice is not empty (a validator rejects it
    there), so such a select says `aria-required` instead.
    """
    if field.field.required and not field.build_widget_attrs({}).get("required"):
        return field.as_widget(attrs={"aria-required": "true"})
    return field.as_widget()


@register.filter
def field_anchor(field: BoundField) -> str:
    """The id a link to the field points at: its box, or the first of a group of radios or checkboxes."""
    if field.field.widget.use_fieldset:
        return f"{field.auto_id}_0"
    return field.id_for_label


@register.filter
def form_problems(form: Form) -> list[dict]:
    """Every error of a form, in the order of its fields, for the summary above it: the form's own
    errors first, then each field's with the id of its box (hidden fields have no box to go to)."""
    problems = [{"message": message, "anchor": "", "label": ""} for message in form.non_field_errors()]
    for field in form:
        for message in field.errors:
            anchor = "" if field.is_hidden else field_anchor(field)
            problems.append({"message": message, "anchor": anchor, "label": field.label})
    return problems
