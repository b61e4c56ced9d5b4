"""The project's widget templates (templates/django/forms/widgets/: select.html writes options inline,
input.html and attrs.html write attributes in Python) must write exactly what Django's own templates
write, for every kind of widget, option and attribute."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe

from apps.gst.states import STATE_CHOICES

DJANGOS_OWN = DjangoTemplates()  # Django's built-in form templates come first in its engine


class MarkedOption(forms.Select):
    option_template_name = "tests/marked_option.html"


class Widgets(forms.Form):
    state = forms.ChoiceField(choices=[("", "—"), *STATE_CHOICES], required=False)
    grouped = forms.ChoiceField(
        choices=[("Gold", [("916", "22K916"), ("750", "18K750")]), ("Silver", [("925", "Sterling 925")]),
                 ("", "None")],
    )  # fmt: skip
    escaped = forms.ChoiceField(
        choices=[('a"b', "Tom & Jerry <b>"), ("safe", mark_safe("<em>kept</em>")), (3, 1234567)],
        widget=forms.Select(attrs={"disabled": True, "data-x": 'q"uote', "hidden": False}),
    )
    many = forms.MultipleChoiceField(choices=[("cash", "Cash"), ("upi", "UPI"), ("card", "Card")])
    maybe = forms.NullBooleanField()
    marked = forms.ChoiceField(choices=[("1", "One"), ("2", "Two")], widget=MarkedOption)


INITIAL = {
    "state": "27",
    "grouped": "750",
    "escaped": 3,
    "many": ["cash", "card"],
    "maybe": False,
    "marked": "2",
}


def test_the_project_renders_forms_with_its_own_templates_first():
    from django.forms.renderers import TemplatesSetting

    assert isinstance(get_default_renderer(), TemplatesSetting)


@pytest.mark.parametrize("name", ["state", "grouped", "escaped", "many", "maybe"])
@pytest.mark.parametrize("bound", [False, True])
def test_a_select_is_written_exactly_as_djangos_own_template_writes_it(name, bound):
    data = (
        {"state": "07", "grouped": "925", "escaped": 'a"b', "many": ["upi"], "maybe": "true"}
        if bound
        else None
    )
    ours = Widgets(data, initial=INITIAL)[name].as_widget()
    theirs = Widgets(data, initial=INITIAL, renderer=DJANGOS_OWN)[name].as_widget()
    assert "<option" in ours
    assert ours == theirs


def test_an_option_template_of_a_widgets_own_is_still_used(settings, tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "marked_option.html").write_text(
        '<option value="{{ widget.value }}" data-marked{% if widget.attrs.selected %} selected{% endif %}>'
        "{{ widget.label }}</option>"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    html = Widgets(initial=INITIAL)["marked"].as_widget()
    assert '<option value="2" data-marked selected>Two</option>' in html
    assert '<option value="1" data-marked>One</option>' in html


class Inputs(forms.Form):
    name = forms.CharField(max_length=80, help_text="As on the bill.")
    amount = forms.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    email = forms.EmailField(required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    agree = forms.BooleanField()
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "data-x": '<q"uote>', "hidden": False}))
    kind = forms.ChoiceField(
        choices=[("b2b", "Registered"), ("b2c", "Walk-in & <others>")], widget=forms.RadioSelect
    )
    modes = forms.MultipleChoiceField(
        choices=[("cash", "Cash"), ("upi", "UPI")], widget=forms.CheckboxSelectMultiple
    )
    upload = forms.FileField(required=False)
    flags = forms.CharField(
        widget=forms.TextInput(attrs={"disabled": True, "autofocus": True, "readonly": False})
    )


INPUTS_INITIAL = {"name": 'Tom & "Jerry" <b>', "amount": "12.50", "day": "2026-03-31", "secret": "s3<cret",
                  "hidden": mark_safe("<kept>"), "agree": True, "note": "line 1\nline <2>", "kind": "b2c",
                  "modes": ["upi"], "flags": 0}  # fmt: skip


@pytest.mark.parametrize("name", list(Inputs.base_fields))
@pytest.mark.parametrize("bound", [False, True])
def test_an_input_is_written_exactly_as_djangos_own_templates_write_it(name, bound):
    data = {"name": "", "amount": "-1", "email": "not-an-email", "day": "31/02", "kind": "b2b", "modes": ["cash", "upi"],
            "note": "<", "agree": "on", "flags": "x"} if bound else None  # fmt: skip
    ours = Inputs(data, initial=INPUTS_INITIAL)
    theirs = Inputs(data, initial=INPUTS_INITIAL, renderer=DJANGOS_OWN)
    if bound:
        ours.is_valid() and theirs.is_valid()  # errors add aria-invalid to the attributes written
    assert ours[name].as_widget() == theirs[name].as_widget()
    assert ours[name].as_widget(attrs={"aria-required": "true"}) == theirs[name].as_widget(
        attrs={"aria-required": "true"}
    )
