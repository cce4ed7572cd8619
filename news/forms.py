from django import forms

from news.models import URL_MAX_LENGTH


class FeedAddForm(forms.Form):
    # A CharField: the service validates the address and says what is wrong in words.
    url = forms.CharField(label="Feed address (RSS or Atom)", max_length=URL_MAX_LENGTH)
