"""A coordinator's reason is one rule (members.audit): one length everywhere, and the service alone says
whether an action needs one, so a page and the API never disagree."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.test import Client
from rest_framework import serializers

from exchanges.models import Exchange
from members.audit import REASON_MAX
from tests.exchanges.helpers import claimed

DOORS = ("apis", "forms", "views", "profile_apis")


def _door_modules():
    for package in ("members", "exchanges", "messaging"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            if info.name.rsplit(".", 1)[-1] in DOORS:
                yield importlib.import_module(info.name)


def _classes(module):
    """The classes a module defines, with the ones nested in them (an API view's Input)."""
    todo = [c for _n, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == module.__name__]
    seen = set()
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        yield cls
        todo += [
            c for c in vars(cls).values() if inspect.isclass(c) and c.__qualname__.startswith(cls.__qualname__ + ".")
        ]


def _reason_fields():
    """Every `reason` a person types in, on a form or in an API body."""
    seen = {}
    for module in _door_modules():
        for cls in _classes(module):
            fields = getattr(cls, "_declared_fields", None) or getattr(cls, "base_fields", None) or {}
            answers = cls.__name__.endswith("Output")  # what the API answers, not what a person types
            if issubclass(cls, (serializers.Serializer, forms.Form)) and "reason" in fields and not answers:
                seen[f"{cls.__module__}.{cls.__qualname__}"] = fields["reason"]
    return seen


def test_every_reason_field_has_the_one_length_and_leaves_required_to_the_service():
    found = _reason_fields()
    assert len(found) >= 12, sorted(found)
    wrong = {
        name: (field.max_length, field.required)
        for name, field in found.items()
        if field.max_length != REASON_MAX or field.required
    }
    assert wrong == {}


def test_every_column_that_keeps_a_reason_keeps_the_longest_whole():
    columns = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.name == "reason" and getattr(field, "max_length", None) is not None and field.max_length < REASON_MAX
    ]
    assert columns == []


@pytest.mark.django_db
def test_a_dispute_needs_no_reason_from_the_page_as_from_the_api(network, alice, bob):
    from tests.exchanges.helpers import funded

    funded(network, alice, bob)
    by_page, by_api = claimed(network, bob, alice, 30), claimed(network, bob, alice, 30)
    client = Client()
    client.force_login(alice)
    client.post(f"/exchanges/{by_page.pk}/dispute/", {"reason": ""})
    api_client = Client()
    api_client.force_login(alice)
    response = api_client.post(f"/api/v1/exchanges/{by_api.pk}/dispute/", {}, content_type="application/json")
    assert response.status_code == 200
    assert Exchange.objects.get(pk=by_page.pk).state == Exchange.objects.get(pk=by_api.pk).state == "disputed"


@pytest.mark.django_db
@pytest.mark.parametrize("door", ["page", "api"])
def test_resolving_without_a_reason_is_refused_by_the_service_through_either_door(
    door, network, alice, bob, coordinator
):
    from tests.exchanges.helpers import disputed, funded

    funded(network, alice, bob)
    exchange = disputed(network, bob, alice, 30)
    client = Client()
    client.force_login(coordinator)
    if door == "api":
        response = client.post(
            f"/api/v1/exchanges/{exchange.pk}/resolve/", {"minutes": 0}, content_type="application/json"
        )
        assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]
    else:
        page = client.post(f"/exchanges/{exchange.pk}/resolve/", {"minutes": 0, "reason": " "}, follow=True)
        assert "this action needs a reason" in page.content.decode()
    assert Exchange.objects.get(pk=exchange.pk).state == "disputed"


@pytest.mark.django_db
def test_a_reason_one_character_too_long_is_refused_on_its_field(api, network, alice, bob, coordinator):
    from tests.exchanges.helpers import disputed, funded

    funded(network, alice, bob)
    exchange = disputed(network, bob, alice, 30)
    body = {"minutes": 0, "reason": "x" * (REASON_MAX + 1)}
    response = api.as_user(coordinator).post(f"/api/v1/exchanges/{exchange.pk}/resolve/", body, format="json")
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]
    body["reason"] = "x" * REASON_MAX
    response = api.as_user(coordinator).post(f"/api/v1/exchanges/{exchange.pk}/resolve/", body, format="json")
    assert response.status_code == 200
