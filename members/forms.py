from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html

from members.models import DigestFrequency, User


def _terms_label() -> str:
    return format_html('I accept the <a href="{}">Terms of Service</a>', reverse_lazy("terms"))


class SignupForm(AllauthSignupForm):
    accept_terms = forms.BooleanField(
        required=True,
        label=lazy(_terms_label, str)(),
        error_messages={"required": "Please accept the Terms of Service to join."},
    )

    digest_frequency = forms.ChoiceField(
        label="Email digest of what's new in what you follow",
        choices=DigestFrequency.choices,
        initial=DigestFrequency.OFF,
        required=False,
        help_text="You can change this at any time.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        self.fields["accept_terms"] = self.fields.pop("accept_terms")  # last, after passwords


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        self.fields["login"].label = "Username or email"
        self.fields["login"].widget.attrs.update(placeholder="", autocomplete="username")
        self.fields["password"].widget.attrs["placeholder"] = ""
        self.fields["remember"].label = "Keep me logged in on this device"


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "organisation", "role_title", "location", "bio"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 6})}
