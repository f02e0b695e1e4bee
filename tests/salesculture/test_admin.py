import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import ProspectFactory

OUR_APPS = ("salesculture", "pipeline", "accountability")


def our_models():
    return [m for name in OUR_APPS for m in apps.get_app_config(name).get_models()]


def test_every_model_is_in_the_admin():
    missing = [m.__name__ for m in our_models() if not admin.site.is_registered(m)]
    assert missing == []


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m.__name__)
def test_every_admin_list_opens(admin_client, model, producer):
    ProspectFactory(owner=producer)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
