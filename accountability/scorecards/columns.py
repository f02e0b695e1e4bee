"""The production columns of a `WeeklyScorecard` (issue 15), kept beside the rules that fill
them (production.py) so the models module stays one screenful per model."""

from django.db import models
from django.db.models import Q

# The production columns (production.py says what each counts).
PRODUCTION_FIELDS = [
    "bound", "premium_bound", "revenue_bound", "quoted", "bound_mtd", "premium_mtd",
    "revenue_mtd", "bound_ytd", "premium_ytd", "revenue_ytd", "bound_13w", "quoted_13w",
    "pace", "close_rate",
]

# A card's numbers: what the scorecard job computes, compares with what is stored, and writes.
SCORECARD_FIELDS = [
    "activity_counts", "activities_total", "wins", "wins_by_stage", "funnel",
    "commitments_total", "commitments_kept", "commitment_actuals", "pipeline_open_count",
    "pipeline_open_value", "coverage", "process_adherence", "confidence",
    *PRODUCTION_FIELDS,
]

# A card whose week produced something: only these add to a later card's month, year and 13
# weeks (a week of zeros adds nothing), so the running sums read them alone, from an index of
# their own (`scorecard_agency_produced`).
PRODUCED = (Q(bound__gt=0) | Q(quoted__gt=0) | ~Q(premium_bound=0)
            | ~Q(revenue_bound=0))


class ProductionColumns(models.Model):
    """Defined once in scorecards/production.py: this week's policies bound, their premium
    and revenue, and wins into the quoting stage; then the same summed over the stored weeks
    of the month and the year (running columns, so no page adds up weeks), the 13 weeks'
    bound and quoted behind the close rate, and the pace."""

    bound = models.PositiveIntegerField(default=0)
    premium_bound = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    revenue_bound = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    quoted = models.PositiveIntegerField(default=0)
    bound_mtd = models.PositiveIntegerField(default=0)
    premium_mtd = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    revenue_mtd = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    bound_ytd = models.PositiveIntegerField(default=0)
    premium_ytd = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    revenue_ytd = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    bound_13w = models.PositiveIntegerField(default=0)
    quoted_13w = models.PositiveIntegerField(default=0)
    pace = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True,
                               help_text="Percent of pace: revenue bound this year ÷ goal, "
                                         "against the share of working weeks gone.")
    close_rate = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True,
                                     help_text="Percent: bound ÷ quoted over 13 weeks.")

    class Meta:
        abstract = True
