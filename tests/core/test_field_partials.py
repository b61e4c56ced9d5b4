"""The shared field and form partials (templates/partials/): what a screen reader is given for each field
and for a form that failed."""

import re

from django import forms
from django.template.loader import render_to_string


class SampleForm(forms.Form):
    name = forms.CharField(label="Name", help_text="As on the bill.")
    kind = forms.ChoiceField(
        label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, help_text="Pick one."
    )
    metal = forms.ChoiceField(label="Metal", choices=[("gold", "Gold"), ("silver", "Silver")])
    note = forms.CharField(label="Note", required=False)
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("The shop is closed today.")


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def _described(html: str) -> list[str]:
    return [i for ids in re.findall(r'aria-describedby="([^"]+)"', html) for i in ids.split()]


def test_every_id_a_field_is_described_by_is_on_the_page():
    html = render_to_string("partials/_form.html", {"form": SampleForm({"note": "x"})})
    described = _described(html)
    assert {"id_name_helptext", "id_name_error", "id_kind_helptext", "id_kind_error"} <= set(described)
    assert set(described) <= _ids(html)
    # A group of radios is described on its fieldset, which Django leaves to the template.
    assert re.search(r'<fieldset aria-describedby="id_kind_helptext id_kind_error">', html)


def test_a_required_select_without_an_empty_choice_is_marked_required_for_assistive_technology():
    html = render_to_string("partials/_field.html", {"field": SampleForm()["metal"]})
    assert 'aria-required="true"' in html and " required" not in html
    html = render_to_string("partials/_field.html", {"field": SampleForm()["name"]})
    assert " required" in html and "aria-required" not in html  # HTML says it itself
    assert "aria-required" not in render_to_string("partials/_field.html", {"field": SampleForm()["note"]})


def test_a_failed_form_lists_every_problem_linked_to_its_box_and_takes_the_focus():
    html = render_to_string("partials/_form.html", {"form": SampleForm({"note": "x"})})
    summary = html[: html.index("</ul>")]
    assert 'tabindex="-1"' in summary and 'aria-labelledby="form-problems"' in summary
    assert '<h2 id="form-problems">There are 5 problems</h2>' in summary
    items = re.findall(r"<li>\s*(.*?)\s*</li>", summary, re.S)
    assert items == [
        "The shop is closed today.",
        '<a href="#id_name">Name: This field is required.</a>',
        '<a href="#id_kind_0">Kind: This field is required.</a>',  # the first radio: a fieldset takes no focus
        '<a href="#id_metal">Metal: This field is required.</a>',
        "This field is required.",  # the hidden token has no box to go to
    ]


def test_a_form_without_errors_shows_no_summary():
    assert "data-error-summary" not in render_to_string("partials/_form.html", {"form": SampleForm()})
