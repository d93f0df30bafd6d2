"""Forms of the pages: they check shape and length; the services check meaning."""

from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.utils.html import format_html

from workshops import services
from workshops.limits import LIMITS
from workshops.models import Workshop
from workshops.starters import BLANK, STARTERS


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        required=False, help_text="Optional: lets other facilitators add you by email."
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


def starter_field(*, with_blank: bool) -> forms.ChoiceField:
    """A choice of starting template, each shown with its name and what it holds."""
    choices = [
        (
            starter.key,
            format_html(
                '<span><span class="starter-name">{}</span> '
                '<span class="starter-description">{}</span></span>',
                starter.name,
                starter.description,
            ),
        )
        for starter in STARTERS.values()
        if with_blank or starter.key != BLANK
    ]
    return forms.ChoiceField(
        label="Start from",
        help_text="Typical steps to begin with; the team can move, change or delete any of them.",
        choices=choices,
        initial=BLANK if with_blank else None,
        required=not with_blank,
        widget=forms.RadioSelect(attrs={"class": "starter-choices"}),
    )


class WorkshopForm(forms.ModelForm):
    starter = starter_field(with_blank=True)

    class Meta:
        model = Workshop
        fields = ("title", "goal", "first_event", "last_event")
        labels = {"first_event": "First event of the map", "last_event": "Last event of the map"}
        help_texts = {
            "goal": "What the team wants from this map, in a sentence or two.",
            "first_event": "Where the path starts, in the past tense.",
            "last_event": "Where it ends, in the past tense.",
        }
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 3}),
            "first_event": forms.TextInput(attrs={"placeholder": services.DEFAULT_FIRST_EVENT}),
            "last_event": forms.TextInput(attrs={"placeholder": services.DEFAULT_LAST_EVENT}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_event"].required = False
        self.fields["last_event"].required = False
        self.fields["title"].widget.attrs["autofocus"] = True

    def clean_starter(self) -> str:
        return self.cleaned_data["starter"] or BLANK


class StarterForm(forms.Form):
    """Start an empty board from a template (the blank one is no choice there)."""

    starter = starter_field(with_blank=False)


class NameForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=LIMITS.display_name,
        widget=forms.TextInput(attrs={"autocomplete": "nickname", "autofocus": True}),
    )

    def clean_name(self) -> str:
        return services.clean_name(self.cleaned_data["name"])


class CoFacilitatorForm(forms.Form):
    username_or_email = forms.CharField(label="Username or email", max_length=254)
