import pytest

from tests.api.client import ApiClient, token_for


@pytest.fixture
def api_as(client):
    """`api_as(producer)`: a client carrying a fresh token of that producer."""
    return lambda producer: ApiClient(client, token_for(producer))
