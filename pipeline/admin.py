from django.contrib import admin

from .models import Activity, ActivityType, Prospect, Stage, StageAdvance, StageWin


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "position", "kind", "stale_after_days"]
    list_filter = ["agency", "kind"]


@admin.register(Prospect)
class ProspectAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "stage", "estimated_revenue", "next_step_due"]
    list_filter = ["agency", "stage__kind", "line_of_business"]
    list_select_related = ["owner__user", "stage"]
    search_fields = ["name"]
    raw_id_fields = ["owner", "stage"]


@admin.register(StageAdvance)
class StageAdvanceAdmin(admin.ModelAdmin):
    """Read-only: the ledger is append-only and changes only through prospect_advance."""

    list_display = ["prospect", "producer", "from_stage", "to_stage", "occurred_at", "wins"]
    list_filter = ["agency", "is_win"]
    list_select_related = ["prospect", "producer__user", "from_stage", "to_stage"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "position", "is_active"]
    list_filter = ["agency", "is_active"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["activity_type", "producer", "quantity", "occurred_at", "outcome"]
    list_filter = ["agency", "activity_type__name"]
    list_select_related = ["activity_type", "producer__user"]
    raw_id_fields = ["producer", "prospect", "activity_type"]


@admin.register(StageWin)
class StageWinAdmin(admin.ModelAdmin):
    """Derived from the ledger by the win rule: read-only, like the ledger itself."""

    list_display = ["prospect", "stage", "producer", "occurred_at"]
    list_filter = ["agency"]
    list_select_related = ["prospect", "stage", "producer__user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
