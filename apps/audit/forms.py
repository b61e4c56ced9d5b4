from django import forms

from apps.audit.actions import action_group_label


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="Kind", required=False)
    actor = forms.TypedChoiceField(label="Who", required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label="Search", required=False, max_length=100)

    def __init__(self, *args, actions: list[str], actors: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "All kinds")] + [(a, action_group_label(a)) for a in actions]
        self.fields["actor"].choices = [("", "Anyone"), *actors]
