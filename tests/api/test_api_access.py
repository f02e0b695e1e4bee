"""Every API operation that takes an id, given an id its token may not see, answers 404 and
writes nothing: another agency's ids to an owner (who sees the most of their own agency), and a
colleague's to a producer and to another team's leader. New operations are picked up from the
OpenAPI document; an id this test does not know how to fill fails loudly."""

import pytest

from accountability.api.core import api as ninja_api
from tests.factories import ActivityFactory, ProducerFactory, ProspectFactory, TeamFactory
from tests.test_fuzz_forms import snapshot

BODIES = {"post": {"to_stage": 1, "expected_stage": 1, "next_step": "x"},
          "patch": {"name": "Taken"}, "put": {}, "delete": None}


def operations_with_ids() -> list[tuple[str, str]]:
    schema = ninja_api.get_openapi_schema()
    return [(method, path) for path, item in schema["paths"].items() if "{" in path
            for method in item]


def _call(api, method: str, path: str, ids: dict):
    url = path.removeprefix("/api/v1").format(**ids)
    if method == "get":
        return api.get(url)
    if method == "delete":
        return api.delete(url)
    return getattr(api, method)(url, BODIES[method])


def test_the_walk_sees_the_operations_with_ids():
    assert ("post", "/api/v1/prospects/{prospect_id}/advance") in operations_with_ids()
    assert ("delete", "/api/v1/activities/{activity_id}") in operations_with_ids()


@pytest.mark.parametrize("method,path", operations_with_ids())
def test_another_agencys_id_answers_404_and_changes_nothing(api_as, owner, other_agency,
                                                            method, path):
    stranger = ProducerFactory(agency=other_agency, role="owner")
    ids = {"prospect_id": ProspectFactory(owner=stranger).pk,
           "activity_id": ActivityFactory(producer=stranger).pk}
    api = api_as(owner)
    api.get("/stages")  # the token's first call notes its use; nothing after that is written
    before = snapshot()

    response = _call(api, method, path, ids)

    assert response.status_code == 404, (method, path, response.content)
    assert response.json() == {"detail": "Not found.", "errors": {}}
    assert snapshot() == before


@pytest.mark.parametrize("who", ["colleague", "south_leader"])
@pytest.mark.parametrize("method,path", operations_with_ids())
def test_a_colleagues_ids_answer_404_to_who_may_not_see_them(api_as, agency, team, producer,
                                                             method, path, who):
    people = {"colleague": ProducerFactory(agency=agency, team=team),
              "south_leader": ProducerFactory(agency=agency, role="leader",
                                              team=TeamFactory(agency=agency, name="South"))}
    ids = {"prospect_id": ProspectFactory(owner=producer).pk,
           "activity_id": ActivityFactory(producer=producer).pk}
    api = api_as(people[who])
    api.get("/stages")
    before = snapshot()

    response = _call(api, method, path, ids)

    assert response.status_code == 404, (who, method, path, response.content)
    assert snapshot() == before
