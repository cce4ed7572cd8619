from django import forms
from taggit.forms import TagField

from discussions.models import BODY_MAX_LENGTH, REPORT_REASON_MAX_LENGTH, TITLE_MAX_LENGTH
from discussions.selectors import search_terms

SEARCH_MAX_LENGTH = 200


class DiscussionForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX_LENGTH, strip=True)
    body = forms.CharField(
        label="Message",
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Markdown is allowed: **bold**, _italic_, [links](https://example.org), "
        "> quotes and lists.",
    )
    tags = TagField(
        required=False,
        help_text="Separate tags with commas, e.g. social reporting, local websites.",
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown is allowed.",
    )
    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    quoted = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class ReplyEditForm(forms.Form):
    body = forms.CharField(
        label="Your reply", max_length=BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 10})
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong with this post?",
        max_length=REPORT_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only moderators see your report.",
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search discussions and replies",
        max_length=SEARCH_MAX_LENGTH,
        error_messages={
            "required": "Type one or more words to search for.",
            "max_length": f"Keep your search under {SEARCH_MAX_LENGTH} characters.",
        },
    )

    def clean_q(self):
        q = self.cleaned_data["q"]
        if not search_terms(q):
            raise forms.ValidationError("Type at least one word (letters or numbers) to search.")
        return q
