import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _no_throttles_carried_over():
    """Throttle counts (invitations per agency, resets per address) live in the cache, which
    outlives a test: each test starts with none."""
    cache.clear()
    yield
    cache.clear()
