from django import forms

from members.models import User


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["notify_followed", "notify_mentions", "notify_replies", "digest_frequency"]
        widgets = {name: forms.RadioSelect for name in fields}


class EmailSubscribeForm(forms.Form):
    email = forms.EmailField(label="Your email address", max_length=254)
