from django.contrib import admin

from salesculture.admin import MarksWeeksAdmin, ReadOnlyAdmin

from .models import (
    AgencyFunnelWeek,
    AlertDismissal,
    Celebration,
    Commitment,
    ConfidenceCheckIn,
    GoalPlan,
    KioskLink,
    Meeting,
    MeetingTurn,
    Obstacle,
    OneOnOne,
    OneOnOneAction,
    WeekClosure,
    WeeklyScorecard,
)


@admin.register(Commitment)
class CommitmentAdmin(MarksWeeksAdmin):
    list_display = ["__str__", "producer", "week_start", "kind", "status", "planned_ahead"]
    list_filter = ["agency", "kind", "status", "week_start"]
    list_select_related = ["producer__user", "activity_type", "stage"]
    raw_id_fields = ["producer", "prospect", "made_by", "meeting"]


@admin.register(WeeklyScorecard)
class WeeklyScorecardAdmin(ReadOnlyAdmin):
    """The scorecard job's numbers: recomputed from the ledgers, never edited (a hand edit
    would be undone by the next refresh, and its stamp would not say it changed:
    scorecards/stored_cards.py)."""

    list_display = ["producer", "week_start", "wins", "activities_total", "commitments_kept",
                    "commitments_total", "is_final"]
    list_filter = ["agency", "week_start", "is_final"]
    list_select_related = ["producer__user"]


@admin.register(AgencyFunnelWeek)
class AgencyFunnelWeekAdmin(ReadOnlyAdmin):
    """The scorecard job's sums for the agency's funnel: recomputed, never edited."""

    list_display = ["agency", "week_start", "computed_at"]
    list_filter = ["agency"]


@admin.register(Celebration)
class CelebrationAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "week_start", "occurred_at"]
    list_filter = ["agency", "kind"]
    raw_id_fields = ["producer", "stage_advance"]


@admin.register(GoalPlan)
class GoalPlanAdmin(admin.ModelAdmin):
    list_display = ["producer", "year", "annual_goal", "label"]
    list_filter = ["agency", "label"]


@admin.register(ConfidenceCheckIn)
class ConfidenceCheckInAdmin(MarksWeeksAdmin):
    list_display = ["producer", "week_start", "process", "pipeline", "team"]
    list_filter = ["agency", "week_start"]


class MeetingTurnInline(admin.TabularInline):
    model = MeetingTurn
    extra = 0
    raw_id_fields = ["producer"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["team", "week_start", "section", "started_at", "ended_at"]
    list_filter = ["agency", "section"]
    inlines = [MeetingTurnInline]


@admin.register(KioskLink)
class KioskLinkAdmin(admin.ModelAdmin):
    list_display = ["team", "label", "created_at", "revoked_at"]
    list_filter = ["agency"]
    readonly_fields = ["token"]


@admin.register(WeekClosure)
class WeekClosureAdmin(admin.ModelAdmin):
    list_display = ["agency", "week_start", "closed_at", "digests_sent"]
    list_filter = ["agency"]


@admin.register(MeetingTurn)
class MeetingTurnAdmin(admin.ModelAdmin):
    list_display = ["__str__", "producer", "position", "seconds"]
    list_select_related = ["producer__user"]
    raw_id_fields = ["meeting", "producer"]


@admin.register(Obstacle)
class ObstacleAdmin(admin.ModelAdmin):
    list_display = ["text", "team", "owner", "due_date", "raised_at", "closed_at"]
    list_filter = ["agency", "team"]
    list_select_related = ["team", "owner__user"]
    raw_id_fields = ["raised_by", "owner", "closed_by", "raised_in", "cleared_in"]


class OneOnOneActionInline(admin.TabularInline):
    model = OneOnOneAction
    extra = 0
    raw_id_fields = ["commitment"]


@admin.register(OneOnOne)
class OneOnOneAdmin(admin.ModelAdmin):
    list_display = ["producer", "leader", "held_on", "follow_up_on", "outcome"]
    list_filter = ["agency", "outcome"]
    list_select_related = ["producer__user", "leader__user"]
    raw_id_fields = ["producer", "leader"]
    inlines = [OneOnOneActionInline]


@admin.register(OneOnOneAction)
class OneOnOneActionAdmin(admin.ModelAdmin):
    list_display = ["text", "one_on_one", "commitment"]
    raw_id_fields = ["one_on_one", "commitment"]


@admin.register(AlertDismissal)
class AlertDismissalAdmin(ReadOnlyAdmin):
    list_display = ["producer", "rule", "week_start", "note", "dismissed_by", "dismissed_at"]
    list_filter = ["agency", "rule"]
    list_select_related = ["producer__user", "dismissed_by__user"]
