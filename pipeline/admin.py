from django.contrib import admin

from salesculture.admin import MarksWeeksAdmin, ReadOnlyAdmin
from salesculture.audit import admin_actor

from .marks import prospect_edit_marks
from .models import (
    Activity,
    ActivityType,
    ImportJob,
    LostReason,
    Prospect,
    Stage,
    StageAdvance,
    StageWin,
)
from .services import prospect_audit_snapshot, prospect_changes_record, prospect_delete


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "position", "kind", "stale_after_days", "retired_at"]
    list_filter = ["agency", "kind"]


@admin.register(Prospect)
class ProspectAdmin(admin.ModelAdmin):
    """Deleted prospects are listed too (deleted_at); deleting here is the app's soft delete,
    and an edit here is recorded in the agency's audit trail as one in the app is."""

    list_display = ["name", "owner", "stage", "estimated_revenue", "next_step_due", "deleted_at"]
    list_filter = ["agency", "stage__kind", "line_of_business",
                   ("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["owner__user", "stage"]
    search_fields = ["name"]
    raw_id_fields = ["owner", "stage"]
    readonly_fields = ["deleted_at", "deleted_by"]

    def get_readonly_fields(self, request, obj=None):
        # Where a prospect stands changes by a move, which the stage ledger records (with
        # the time the stay it ends began): edited here, the ledger would no longer say where
        # it stood, and the scorecards' past weeks would count it wrong.
        moved_only = ["stage", "stage_entered_at", "furthest_stage"] if obj is not None else []
        return [*self.readonly_fields, *moved_only]

    def get_queryset(self, request):
        return Prospect.all_objects.all()

    def save_model(self, request, obj, form, change):
        before = (prospect_audit_snapshot(Prospect.all_objects.select_related("owner__user")
                                          .get(pk=obj.pk)) if change else None)
        super().save_model(request, obj, form, change)
        if before is not None:
            prospect_changes_record(before=before, prospect=obj,
                                    actor=admin_actor(request.user, obj.agency_id))
        # The scorecards it changes, as an edit in the app marks them.
        prospect_edit_marks(before=before or prospect_audit_snapshot(obj), prospect=obj)

    def delete_model(self, request, obj):
        prospect_delete(prospect=obj, actor=admin_actor(request.user, obj.agency_id))

    def delete_queryset(self, request, queryset):
        for prospect in queryset:
            self.delete_model(request, prospect)

    def get_deleted_objects(self, objs, request):
        # A soft delete removes nothing else: the confirmation lists only the prospects (the
        # ledger rows it would otherwise cascade to are kept).
        return [str(obj) for obj in objs], {"prospects": len(objs)}, set(), []


@admin.register(StageAdvance)
class StageAdvanceAdmin(ReadOnlyAdmin):
    """Read-only: the ledger is append-only and changes only through prospect_advance."""

    list_display = ["prospect", "producer", "from_stage", "to_stage", "occurred_at", "wins"]
    list_filter = ["agency", "is_win", "source"]
    list_select_related = ["prospect", "producer__user", "from_stage", "to_stage"]


@admin.register(ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "position", "is_active"]
    list_filter = ["agency", "is_active"]


@admin.register(LostReason)
class LostReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "position", "is_active"]
    list_filter = ["agency", "is_active"]


@admin.register(Activity)
class ActivityAdmin(MarksWeeksAdmin):
    list_display = ["activity_type", "producer", "quantity", "occurred_at", "outcome"]
    list_filter = ["agency", "activity_type__name"]
    list_select_related = ["activity_type", "producer__user"]
    raw_id_fields = ["producer", "prospect", "activity_type"]

    def week_of(self, obj) -> tuple:
        return obj.agency_id, obj.occurred_at, obj.producer_id


@admin.register(StageWin)
class StageWinAdmin(ReadOnlyAdmin):
    """Derived from the ledger by the win rule: read-only, like the ledger itself."""

    list_display = ["prospect", "stage", "producer", "occurred_at"]
    list_filter = ["agency"]
    list_select_related = ["prospect", "stage", "producer__user"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    """Read-only: an import is made and run from the import page, never edited here."""

    list_display = ["pk", "agency", "kind", "filename", "status", "total_rows", "created_at"]
    list_filter = ["agency", "kind", "status"]
    list_select_related = ["agency"]
    exclude = ["csv_text", "error_report"]
