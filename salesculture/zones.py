"""The time zones an agency may be in."""

import functools
import zoneinfo


@functools.cache
def time_zone_names() -> frozenset[str]:
    """The time zones this machine knows, read once a process: available_timezones() walks
    the time zone database on disk at every call (some 10 ms, twice a render of a form)."""
    return frozenset(zoneinfo.available_timezones())
