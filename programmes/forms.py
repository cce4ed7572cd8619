from django import forms
from taggit.forms import TagField

from programmes.models import (
    DESCRIPTION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    ROLE_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    Organisation,
    Programme,
)

REGIONS_MAX = 20
BIGGEST_ID = 2**63 - 1


class OrganisationsField(forms.ModelMultipleChoiceField):
    """Refuses ids no database can hold (SQLite would raise OverflowError) as invalid choices."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if not (text.isdigit() and len(text) <= 19 and 0 < int(text) <= BIGGEST_ID):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class SuggestForm(forms.Form):
    """A member suggests a programme; staff approve it before it is listed."""

    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": "Give the programme a name."},
    )
    website = forms.URLField(
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a full web address, e.g. https://example.org."},
    )
    summary = forms.CharField(
        max_length=SUMMARY_MAX_LENGTH,
        required=False,
        help_text="One or two sentences: what it does and for whom.",
    )
    description = forms.CharField(
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown is allowed: **bold**, _italic_, [links](https://example.org), lists.",
    )
    lead_organisations = OrganisationsField(
        queryset=Organisation.objects.only("name"),
        required=False,
        help_text="Hold Ctrl (or ⌘) to choose more than one. Missing one? Say so in the note.",
    )
    funders = OrganisationsField(queryset=Organisation.objects.only("name"), required=False)
    themes = TagField(
        required=False,
        help_text="Separate themes with commas, e.g. social reporting, local websites.",
    )
    geography = forms.ChoiceField(choices=Programme.Geography.choices)
    regions = forms.CharField(
        label="Regions or places",
        required=False,
        max_length=1000,
        help_text="For a regional or local programme: comma-separated, e.g. West Midlands, Stoke.",
    )
    audience = forms.CharField(max_length=200, required=False, help_text="Who it is for.")
    status = forms.ChoiceField(choices=Programme.Status.choices)
    starts_on = forms.DateField(
        label="Starts on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label="Ends on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    suggestion_note = forms.CharField(
        label="A note for staff",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only staff see this: how you know the programme, organisations to add…",
    )

    def clean_regions(self):
        names = [" ".join(n.split()) for n in self.cleaned_data["regions"].split(",")]
        names = list(dict.fromkeys(n for n in names if n))
        if len(names) > REGIONS_MAX:
            raise forms.ValidationError(f"Name at most {REGIONS_MAX} regions or places.")
        if any(len(n) > 100 for n in names):
            raise forms.ValidationError("Each region can be at most 100 characters.")
        return names

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The end date must be on or after the start date.")
        if data.get("geography") in ("regional", "local") and not data.get("regions"):
            self.add_error("regions", "Name at least one region or place.")
        return data


class RoleClaimForm(forms.Form):
    role = forms.CharField(
        label="Your role",
        max_length=ROLE_MAX_LENGTH,
        error_messages={"required": "Say what your role is, e.g. “Programme manager”."},
        help_text="e.g. Programme manager, Trainer, Evaluator",
    )
    is_organiser = forms.BooleanField(
        label="I organise this programme or am a contact for it", required=False
    )


class OverlapForm(forms.Form):
    min_score = forms.TypedChoiceField(
        label="Show pairs scoring at least",
        coerce=int,
        choices=[(n, str(n)) for n in (3, 5, 6, 8, 10, 12, 15)],
        initial=6,
        required=False,
    )
