from django.contrib import admin, messages

from .audit import admin_actor
from .jobs import weeks_changed
from .models import (
    Agency,
    ApiToken,
    AuditEvent,
    DirtyWeek,
    Invitation,
    MorningListSent,
    Producer,
    Team,
    Webhook,
    WebhookDelivery,
)
from .services import producer_admin_saved, producer_set_active


class ReadOnlyAdmin(admin.ModelAdmin):
    """An append-only ledger or what is derived from it: listed and opened, never written."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MarksWeeksAdmin(admin.ModelAdmin):
    """For the rows the scorecards are computed from: a correction here marks the weeks it
    touches, as the app's own writes do, so a past week does not keep its old numbers (the
    safety refresh redoes only the current week and the weeks left marked). `week_of(obj)`
    says where a row counts: (agency id, its moment or Monday, producer id)."""

    def week_of(self, obj) -> tuple:
        return obj.agency_id, obj.week_start, obj.producer_id

    def save_model(self, request, obj, form, change):
        before = type(obj)._default_manager.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        weeks_changed(self.week_of(row) for row in (before, obj) if row is not None)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        weeks_changed([self.week_of(obj)])

    def delete_queryset(self, request, queryset):
        deleted = [self.week_of(row) for row in queryset]
        super().delete_queryset(request, queryset)
        weeks_changed(deleted)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "agency"]
    list_filter = ["agency"]


@admin.register(Producer)
class ProducerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "agency", "team", "role", "is_active"]
    list_filter = ["agency", "role", "is_active"]
    list_select_related = ["user", "agency", "team"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    actions = ["deactivate", "reactivate"]

    def save_model(self, request, obj, form, change):
        """A change made here is recorded in the agency's audit trail like one made in the
        app (goal, why, role, activation); the admin's view holds the transaction."""
        before = Producer.objects.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        if before is not None:
            producer_admin_saved(before=before, producer=obj,
                                 actor=admin_actor(request.user, obj.agency_id))

    @admin.action(description="Deactivate the selected people (their history stays)")
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, active=False)

    @admin.action(description="Reactivate the selected people")
    def reactivate(self, request, queryset):
        self._set_active(request, queryset, active=True)

    def _set_active(self, request, queryset, *, active: bool) -> None:
        people = list(queryset.select_related("user"))
        for producer in people:
            producer_set_active(producer=producer, active=active,
                                actor=admin_actor(request.user, producer.agency_id))
        self.message_user(request, f"{len(people)} {'re' if active else 'de'}activated.",
                          messages.SUCCESS)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the trail is append-only and written only by the services."""

    list_display = ["at", "agency", "actor_label", "kind", "subject_label"]
    list_filter = ["agency", "kind"]
    list_select_related = ["agency"]
    search_fields = ["subject_label", "actor_label"]


@admin.register(DirtyWeek)
class DirtyWeekAdmin(admin.ModelAdmin):
    """Agency-weeks waiting for a scorecard refresh: rows that stay here say the worker or the
    broker is away."""

    list_display = ["agency", "week_start", "marked_at"]
    list_filter = ["agency"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Read-only: invitations are sent, sent again and revoked on Settings → People, where
    the email goes out and the audit trail records it. The token is never shown (only its
    hash is stored)."""

    list_display = ["email", "name", "agency", "role", "team", "sent_at", "expires_at",
                    "accepted_at", "revoked_at"]
    list_filter = ["agency", "role"]
    list_select_related = ["agency", "team"]
    search_fields = ["email", "name"]
    exclude = ["token_hash"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Read-only: tokens are made and revoked on the profile's tokens page (an owner's on
    Settings → API tokens), where the audit trail records it. Only the secret's hash is
    stored, and it is not shown."""

    list_display = ["name", "producer", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["producer__agency"]
    list_select_related = ["producer__user"]
    search_fields = ["name", "producer__user__first_name", "producer__user__last_name"]
    exclude = ["token_hash"]


@admin.register(Webhook)
class WebhookAdmin(ReadOnlyAdmin):
    """Read-only: owners add and remove webhooks on Settings → Webhooks (audited there)."""

    list_display = ["url", "agency", "body_format", "created_at"]
    list_filter = ["agency", "body_format"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event", "webhook", "status", "attempts", "response_code", "created_at"]
    list_filter = ["status", "event"]
    list_select_related = ["webhook"]


@admin.register(MorningListSent)
class MorningListSentAdmin(ReadOnlyAdmin):
    list_display = ["producer", "local_date", "sent_at"]
    list_select_related = ["producer__user"]
    date_hierarchy = "local_date"
