"""The project's select template (templates/django/forms/widgets/select.html) writes options inline, and
must write exactly what Django's own templates write, for every kind of select and option."""

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
