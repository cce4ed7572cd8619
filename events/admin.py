"""Events in the admin. Capacity (the form field, the list-editable column and the actions)
always goes through ``events.services``, so the waitlist is promoted and nothing bypasses the
rules."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q

from events import selectors, services
from events.models import Event, Rsvp, RsvpLog
from socialbysocial.markdown import render_markdown


class EventAdminForm(forms.ModelForm):
    online_url = forms.URLField(label="Online link", required=False, assume_scheme="https")

    class Meta:
        model = Event
        fields = (
            "title",
            "description",
            "organisers",
            "starts_at",
            "ends_at",
            "venue_name",
            "venue_address",
            "online_url",
            "capacity",
            "max_guests",
            "rsvp_opens_at",
            "rsvp_closes_at",
            "waitlist_enabled",
        )

    def clean_capacity(self):
        capacity = self.cleaned_data.get("capacity")
        if self.instance.pk and capacity is not None:
            taken = services.seats(self.instance).taken
            if capacity < taken:
                raise ValidationError(
                    f"{taken} places are already taken, so capacity can go down to {taken} "
                    "but not lower. Cancel RSVPs first."
                )
        return capacity


class RsvpLogInline(admin.TabularInline):
    model = RsvpLog
    fields = ("created", "action", "member", "reason", "actor")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-created", "-pk")
    verbose_name_plural = "Decisions about places (newest first)"

    def has_add_permission(self, request, obj=None):
        return False


class RsvpInline(admin.TabularInline):
    model = Rsvp
    fields = ("member", "state", "guests", "queue_number", "note", "created")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("state", "queue_number", "created")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    form = EventAdminForm
    list_display = ("title", "starts_at", "capacity", "places_taken", "waitlisted", "status")
    list_editable = ("capacity",)
    list_filter = ("status", "waitlist_enabled", "starts_at")
    search_fields = ("title", "venue_name", "description")
    date_hierarchy = "starts_at"
    filter_horizontal = ("organisers",)
    readonly_fields = ("status", "created_by", "sequence", "uid", "created", "updated")
    exclude = ("slug", "queue_counter")
    inlines = [RsvpInline, RsvpLogInline]
    actions = ["promote_waitlist", "cancel_events"]

    def get_queryset(self, request):
        return selectors.with_seats(super().get_queryset(request)).annotate(
            waiting=Count("rsvps", filter=Q(rsvps__state=Rsvp.State.WAITLISTED))
        )

    @admin.display(description="places taken")
    def places_taken(self, event):
        return selectors.taken(event)

    @admin.display(description="waiting", ordering="waiting")
    def waitlisted(self, event):
        return event.waiting

    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("form", EventAdminForm)
        return super().get_changelist_form(request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            obj.slug = services._slug(obj.title)
            obj.description_html = render_markdown(obj.description)
            super().save_model(request, obj, form, change)
            return
        details = {
            field: form.cleaned_data[field]
            for field in services.EVENT_FIELDS
            if field in form.cleaned_data and field in form.changed_data
        }
        try:
            if "capacity" in form.changed_data:
                services.event_edit(
                    event=obj, actor=request.user, capacity=form.cleaned_data["capacity"], **details
                )
            elif details:
                services.event_update(event=obj, actor=request.user, **details)
        except ValidationError as exc:  # a race with an RSVP since the form was validated
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and request.user not in form.instance.organisers.all():
            form.instance.organisers.add(request.user)

    @admin.action(description="Promote from the waitlist now")
    def promote_waitlist(self, request, queryset):
        promoted = sum(
            len(services.event_promote(event=event, actor=request.user)) for event in queryset
        )
        self.message_user(request, f"{promoted} waiting part(ies) promoted.")

    @admin.action(description="Cancel selected events (everyone with an RSVP is told)")
    def cancel_events(self, request, queryset):
        for event in queryset:
            services.event_cancel(event=event, actor=request.user)
        self.message_user(request, f"{queryset.count()} event(s) cancelled.")


@admin.register(Rsvp)
class RsvpAdmin(admin.ModelAdmin):
    list_display = ("member", "event", "state", "guests", "queue_number", "created")
    list_filter = ("state", "event")
    search_fields = ("member__username", "member__display_name", "event__title")
    list_select_related = ("member", "event")
    readonly_fields = (
        "event",
        "member",
        "state",
        "guests",
        "note",
        "queue_number",
        "created",
        "updated",
        "reminder_sent_at",
    )
    actions = ["cancel_rsvps"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Cancel selected RSVPs (frees the places for the waitlist)")
    def cancel_rsvps(self, request, queryset):
        for rsvp in queryset.select_related("event"):
            services.rsvp_cancel(rsvp=rsvp, actor=request.user)
        self.message_user(request, f"{queryset.count()} RSVP(s) cancelled.")


@admin.register(RsvpLog)
class RsvpLogAdmin(admin.ModelAdmin):
    list_display = ("created", "event", "action", "member", "reason", "actor")
    list_filter = ("action", "event")
    search_fields = ("member__username", "reason", "event__title")
    list_select_related = ("event", "member", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
