"""What the shared field and form partials need beyond Django's own rendering (templates/partials)."""

from __future__ import annotations

from django import template
from django.forms import BoundField, Form
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.utils.safestring import SafeData, SafeString, mark_safe

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


OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _formatted(value) -> str:
    """What `{{ value|stringformat:'s' }}` gives before it is escaped (safe in, safe out)."""
    text = stringformat(value, "s")
    return mark_safe(text) if isinstance(value, SafeData) else text  # noqa: S308 (it was safe already)


def _attrs(context, attrs: dict) -> str:
    """What Django's attrs.html writes for these attributes (escaped)."""
    return "".join(
        f" {render_value_in_context(name, context)}"
        + ("" if value is True else f'="{render_value_in_context(_formatted(value), context)}"')
        for name, value in attrs.items()
        if value is not False
    )


@register.simple_tag(takes_context=True)
def widget_attrs(context, attrs: dict) -> SafeString:
    """A widget's attributes as Django's attrs.html writes them: that template's loop costs about
    0.07 ms a widget, included by every widget's template; this tag writes the same bytes in Python
    (tests/core/test_form_widgets.py)."""
    return mark_safe(_attrs(context, attrs))  # noqa: S308 (escaped in _attrs)


@register.simple_tag(takes_context=True)
def select_options(context, options: list[dict]) -> SafeString:
    """A select's options as Django's select.html and select_option.html write them, written here in
    Python: the templates cost a template include and some twenty nodes per option, about 1.5 ms for
    the 38 states. An option with a template of its own widget's (`option_template_name`) is rendered
    with it, as Django's include would. tests/core/test_form_widgets.py holds the two to the same bytes."""
    parts = []
    for option in options:
        if option["template_name"] != OPTION_TEMPLATE:
            with context.push(widget=option):
                parts.append(context.template.engine.get_template(option["template_name"]).render(context))
            continue
        attrs = _attrs(context, option["attrs"])
        value = render_value_in_context(_formatted(option["value"]), context)
        parts.append(
            f'<option value="{value}"{attrs}>{render_value_in_context(option["label"], context)}</option>\n'
        )
    return mark_safe("".join(f"\n  {part}" for part in parts))  # noqa: S308 (every part is escaped above)
