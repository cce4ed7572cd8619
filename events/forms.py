from django import forms

from events.models import (
    DESCRIPTION_MAX_LENGTH,
    MAX_GUESTS_LIMIT,
    NOTE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Event,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RsvpForm(forms.Form):
    guests = forms.TypedChoiceField(coerce=int, initial=0, label="Guests you are bringing")
    note = forms.CharField(
        label="A note to the organisers (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only the organisers see this, e.g. access or dietary needs.",
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guests"].choices = [(n, str(n)) for n in range(event.max_guests + 1)]
        self.fields["guests"].error_messages["invalid_choice"] = (
            f"Choose between 0 and {event.max_guests} guests."
        )
        if event.max_guests == 0:
            self.fields["guests"].widget = forms.HiddenInput()


class EventForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX_LENGTH)
    description = forms.CharField(
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown is allowed.",
    )
    starts_at = forms.DateTimeField(label="Starts", widget=DATETIME)
    ends_at = forms.DateTimeField(label="Ends", widget=DATETIME)
    venue_name = forms.CharField(label="Venue", max_length=200, required=False)
    venue_address = forms.CharField(
        label="Address", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    online_url = forms.URLField(label="Online link", required=False, assume_scheme="https")
    capacity = forms.IntegerField(
        min_value=0,
        max_value=100_000,
        required=False,
        help_text="Places in the room, guests included. Leave empty for no limit.",
    )
    max_guests = forms.IntegerField(
        label="Guests per member", min_value=0, max_value=MAX_GUESTS_LIMIT, initial=0
    )
    waitlist_enabled = forms.BooleanField(
        label="Use a waitlist when full", required=False, initial=True
    )
    rsvp_opens_at = forms.DateTimeField(label="RSVPs open", required=False, widget=DATETIME)
    rsvp_closes_at = forms.DateTimeField(label="RSVPs close", required=False, widget=DATETIME)

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The event must end after it starts.")
        if not (data.get("venue_name") or data.get("venue_address") or data.get("online_url")):
            self.add_error("venue_name", "Give a venue, an address or an online link.")
        return data
