from django import forms

from groups.models import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, Group, Membership


class GroupForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX_LENGTH)
    kind = forms.ChoiceField(
        label="Who can see and join it",
        choices=Group.Kind.choices,
        widget=forms.RadioSelect,
        initial=Group.Kind.OPEN,
    )
    description = forms.CharField(
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What the group is for. Markdown is allowed.",
    )


class InviteForm(forms.Form):
    username = forms.CharField(label="Invite a member by username", max_length=150)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class DirectoryForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search groups")
    sort = forms.ChoiceField(
        required=False,
        choices=[("activity", "Recently active"), ("size", "Most members"), ("name", "Name")],
    )
