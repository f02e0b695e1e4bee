from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = "Accountability"

    def ready(self) -> None:
        from salesculture import agency_cache
        from salesculture.jobs import week_changed

        from . import tasks
        from .coaching.models import AlertDismissal, OneOnOne
        from .models import Commitment, ConfidenceCheckIn

        # Every write that changes an agency-week (pipeline's included, which cannot name this
        # app) reaches the scorecards through this signal; connected here, in every process,
        # rather than as a side effect of importing the tasks module.
        week_changed.connect(tasks.refresh_scorecards_when_week_changed,
                             dispatch_uid="accountability.refresh_scorecards")
        # What the kept leader alerts and role fit read besides finished weeks' cards (the
        # scorecard job bumps those) and the plans' pace (goal_plan_store, when it changes):
        # salesculture/agency_cache.py.
        for topic, model in ((agency_cache.COMMITMENTS, Commitment),
                             (agency_cache.CHECK_INS, ConfidenceCheckIn),
                             (agency_cache.ONE_ON_ONES, OneOnOne),
                             (agency_cache.DISMISSALS, AlertDismissal)):
            agency_cache.connect(topic, [model])
