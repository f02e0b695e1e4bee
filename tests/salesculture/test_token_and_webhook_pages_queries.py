"""The tokens and webhooks pages cost the same number of queries with many rows as with few."""

from salesculture.api_tokens import api_token_create
from salesculture.models import Webhook, WebhookDelivery
from tests.conftest import login
from tests.factories import ProducerFactory
from tests.queries import queries_of


def _tokens(agency, n):
    for _ in range(n):
        api_token_create(producer=ProducerFactory(agency=agency), name="Dialer")


def test_the_token_pages_do_not_grow_with_the_tokens(client, owner, agency):
    login(client, owner)
    _tokens(agency, 2)
    api_token_create(producer=owner, name="Mine")
    small = [queries_of(client.get, url) for url in ("/settings/tokens/", "/profile/tokens/")]
    _tokens(agency, 20)
    for _ in range(10):
        api_token_create(producer=owner, name="Mine")
    large = [queries_of(client.get, url) for url in ("/settings/tokens/", "/profile/tokens/")]
    assert small == large


def test_the_webhook_pages_do_not_grow_with_the_deliveries(client, owner, agency):
    login(client, owner)
    hook = Webhook.objects.create(agency=agency, url="https://example.com/h", secret="s",
                                  events=["stage.win"])

    def deliveries(n):
        WebhookDelivery.objects.bulk_create(
            WebhookDelivery(webhook=hook, event="stage.win", body="{}") for _ in range(n))

    deliveries(2)
    small = [queries_of(client.get, url) for url in ("/settings/webhooks/",
                                                     f"/settings/webhooks/{hook.pk}/")]
    deliveries(30)
    Webhook.objects.create(agency=agency, url="https://example.com/2", secret="s", events=[])
    large = [queries_of(client.get, url) for url in ("/settings/webhooks/",
                                                     f"/settings/webhooks/{hook.pk}/")]
    assert small == large
