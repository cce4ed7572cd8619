from django.contrib import admin

from subscriptions.models import (
    DigestDelivery,
    EmailSubscription,
    Follow,
    Notification,
    OutgoingEmail,
)
from subscriptions.tasks import deliver_emails


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnly):
    list_display = ("created", "kind", "to", "subject", "sent_at", "attempts", "last_error")
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("to", "subject")
    actions = ["send_now"]

    @admin.action(description="Send the selected unsent emails now")
    def send_now(self, request, queryset):
        ids = list(queryset.filter(sent_at__isnull=True).values_list("pk", flat=True))
        deliver_emails.delay(ids)
        self.message_user(request, f"{len(ids)} email(s) queued for sending.")


@admin.register(EmailSubscription)
class EmailSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("email", "kind", "target", "confirmed_at", "created")
    list_filter = ("kind", ("confirmed_at", admin.EmptyFieldListFilter))
    search_fields = ("email",)
    readonly_fields = ("email", "kind", "discussion", "tag", "group", "created", "confirmed_at")

    def has_add_permission(self, request):
        return False


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnly):
    list_display = ("period", "member", "created")
    list_filter = ("period",)
    search_fields = ("member__username",)


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ("created", "recipient", "kind", "actor", "discussion", "delivery", "read_at")
    list_filter = ("kind", "delivery")
    list_select_related = ("recipient", "actor", "discussion")


@admin.register(Follow)
class FollowAdmin(ReadOnly):
    list_display = ("member", "discussion", "group", "tag", "event", "created")
    list_select_related = ("member", "discussion", "group", "tag", "event")
