import pytest
from django.core.cache import cache

from tests.api.client import ApiClient, token_for


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    """Each test starts with every token's allowance whole (the counts live in the cache)."""
    cache.clear()


@pytest.fixture
def api_as(client):
    """`api_as(producer)`: a client carrying a fresh token of that producer."""
    return lambda producer: ApiClient(client, token_for(producer))
