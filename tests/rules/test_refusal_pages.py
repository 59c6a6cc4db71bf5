"""One adapter turns a service refusal into a page (timebank.pages), as one handler does for the API."""

import ast
from pathlib import Path

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import Client, RequestFactory

from exchanges.models import Exchange
from tests.factories import member
from timebank.errors import Forbidden, InvalidTransition, NotFound, ValidationError
from timebank.pages import page, refusal_shown

ROOT = Path(__file__).resolve().parents[2]
REFUSALS = {
    "DomainError",
    "Forbidden",
    "NotFound",
    "InvalidTransition",
    "InsufficientBalance",
    "LastCoordinator",
    "ValidationError",
    "DjangoValidationError",
    "PermissionDenied",
}


def _page_modules() -> list[Path]:
    found = []
    for app in ("members", "exchanges", "messaging", "timebank"):
        found += [p for p in (ROOT / app).rglob("views.py")]
    return sorted(found)


def _caught(handler: ast.ExceptHandler) -> set[str]:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {k.id if isinstance(k, ast.Name) else getattr(k, "attr", "") for k in kinds if k is not None}


def test_no_page_turns_a_refusal_into_a_message_by_itself():
    modules = _page_modules()
    assert len(modules) >= 8, modules
    own = []
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ExceptHandler) and _caught(node) & REFUSALS:
                own.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.FunctionDef) and node.name in {"form_add_errors", "_attempt", "_refusal"}:
                own.append(f"{path.relative_to(ROOT)}:{node.lineno} def {node.name}")
    assert own == [], "use timebank.pages.refusal_shown instead: " + ", ".join(own)


def _request(user=None):
    request = RequestFactory().post("/somewhere/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.user = user
    return request


class NameForm(forms.Form):
    name = forms.CharField(required=False)


def test_a_refusal_the_caller_can_correct_is_said_on_the_page_and_the_rest_of_the_block_is_skipped():
    request, after = _request(), []
    with refusal_shown(request) as outcome:
        raise InvalidTransition("This exchange is posted: that cannot happen now.")
        after.append("ran")  # pragma: no cover
    assert outcome.refused and after == []
    assert [str(m) for m in get_messages(request)] == ["This exchange is posted: that cannot happen now."]


def test_a_validation_error_lands_on_the_form_by_field():
    request, form = _request(), NameForm({"name": "x"})
    assert form.is_valid()
    with refusal_shown(request, form=form) as outcome:
        raise ValidationError({"name": ["Give a name."], "other": ["Something else."]})
    assert outcome.refused
    assert form.errors == {"name": ["Give a name."], "__all__": ["Something else."]}
    assert list(get_messages(request)) == []


def test_success_is_not_a_refusal():
    request = _request()
    with refusal_shown(request) as outcome:
        pass
    assert not outcome.refused and list(get_messages(request)) == []


@pytest.mark.parametrize(
    ("raised", "becomes"), [(NotFound("No such network."), Http404), (Forbidden("No."), PermissionDenied)]
)
def test_out_of_reach_and_not_allowed_stay_404_and_403_inside_the_block(raised, becomes):
    with pytest.raises(becomes), refusal_shown(_request()):
        raise raised


def test_a_step_the_page_offers_says_not_allowed_on_the_page_and_keeps_out_of_reach_404():
    request = _request()
    with refusal_shown(request, role_said=True) as outcome:
        raise Forbidden("Only a coordinator can do that.")
    assert outcome.refused
    assert [str(m) for m in get_messages(request)] == ["Only a coordinator can do that."]
    with pytest.raises(Http404), refusal_shown(_request(), role_said=True):
        raise NotFound("No such exchange.")


@pytest.mark.django_db
def test_a_page_answers_404_outside_reach_and_403_with_the_reason_for_what_the_role_may_not_do(network):
    person = member(network).user

    @page
    def view(request, what):
        if what == "missing":
            raise NotFound("No such network.")
        raise Forbidden("Only a coordinator can do that.")
        return HttpResponse()  # pragma: no cover

    for what, status in (("missing", 404), ("forbidden", 403)):
        request = _request(person)
        with pytest.raises(Http404 if status == 404 else PermissionDenied):
            view(request, what)


@pytest.mark.django_db
def test_the_403_page_says_why(network, alice, bob):
    # A supporter's page for someone they do not support: the role may not, so 403, in words.
    client = Client()
    client.force_login(alice)
    response = client.get(f"/networks/{network.slug}/profile/?member={bob.pk}")
    assert response.status_code == 403
    assert "You cannot act for this member." in response.content.decode()


@pytest.mark.django_db
def test_a_refused_exchange_step_reads_the_same_on_the_page_and_in_the_api(api, network, alice, bob):
    from exchanges import services

    exchange = services.exchange_propose(actor=alice, network=network, provider=bob, recipient=alice, minutes=30)
    services.exchange_cancel(actor=alice, exchange=exchange)
    body = api.as_user(bob).post(f"/api/v1/exchanges/{exchange.pk}/accept/").json()
    client = Client()
    client.force_login(bob)
    html = client.post(f"/exchanges/{exchange.pk}/accept/", follow=True).content.decode()
    assert body["error"]["code"] == "invalid_transition"
    assert body["error"]["message"] in html
    assert Exchange.objects.get(pk=exchange.pk).state == "cancelled"
