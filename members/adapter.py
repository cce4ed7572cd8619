from allauth.account.adapter import DefaultAccountAdapter
from django.utils import timezone


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Record the time the Terms of Service were accepted, in the same save as the user."""
        user = super().save_user(request, user, form, commit=False)
        if form.cleaned_data.get("accept_terms"):
            user.terms_accepted_at = timezone.now()
        if commit:
            user.save()
        return user
