"""`python bench/nightly.py AGENCY_ID`: the nightly goal-plan refresh of one agency, run as
the worker runs it (the `refresh_agency_goal_plans` task's body), in a process of its own so
that bench/run.py can time it, watch its progress and stop it at a cap."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.env import django_setup  # noqa: E402 - the project root must be on the path first


def main() -> None:
    django_setup(os.environ["DATABASE_URL"])
    from accountability.tasks import refresh_agency_goal_plans

    refresh_agency_goal_plans(int(sys.argv[1]))


if __name__ == "__main__":
    main()
