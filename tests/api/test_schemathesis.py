"""A property-based run of the whole API against its own OpenAPI document (schemathesis): for
every operation, generated valid and invalid requests with a real token must never answer a
500, and every answer must be one the document declares, in its status, content type, headers
and body. Bounded (EXAMPLES a mode and operation) so it runs in well under a minute; the counts
it prints are the run's."""

from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.client import token_for
from tests.factories import ActivityFactory, ProspectFactory

EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_app():
    """The site as WSGI, keeping the test's database connection (and so its transaction)
    open between requests, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def data(settings, producer, leader):
    # The run makes hundreds of calls with one token; the rate limit has its own test.
    settings.SALESCULTURE = {**settings.SALESCULTURE, "API_RATE_PER_MINUTE": 100_000}
    for _ in range(3):
        ProspectFactory(owner=producer)
        ActivityFactory(producer=producer)


def _run(operation, mode: GenerationMode, headers: dict, counts: Counter) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        counts[f"{mode.value} {response.status_code}"] += 1
        counts["calls"] += 1

    check()


@pytest.mark.parametrize("who", ["producer", "leader"])
def test_the_api_keeps_to_its_schema_under_generated_requests(data, wsgi_app, request, who):
    producer = request.getfixturevalue(who)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    headers = {"Authorization": f"Bearer {token_for(producer)}"}
    counts: Counter = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run(operation, mode, headers, counts)
        counts["operations"] += 1

    print(f"\nschemathesis as {who}: {counts['operations']} operations, {counts['calls']} "
          f"calls, by answer: {dict(sorted((k, v) for k, v in counts.items() if ' ' in k))}")
    assert counts["operations"] == 15
    assert not any(key.endswith(" 500") for key in counts)
