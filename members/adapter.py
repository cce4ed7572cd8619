from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.utils import timezone


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_blacklisted": "That username is reserved. Please choose another.",
        "username_taken": "That username is already taken. Please choose another.",
    }

    def clean_username(self, username, shallow=False):
        """Usernames are public: no "@", so nobody can pose as an email address."""
        if "@" in username:
            raise forms.ValidationError("Usernames cannot contain “@”. Try letters and numbers.")
        return super().clean_username(username, shallow=shallow)

    def save_user(self, request, user, form, commit=True):
        """Record the time the Terms of Service were accepted, in the same save as the user."""
        user = super().save_user(request, user, form, commit=False)
        if form.cleaned_data.get("accept_terms"):
            user.terms_accepted_at = timezone.now()
        user.digest_frequency = form.cleaned_data.get("digest_frequency") or "off"
        if commit:
            user.save()
        return user
