from django.contrib import admin

from .models import Agency, DirtyWeek, Producer, Team


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
