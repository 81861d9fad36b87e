"""The one permission policy: every API action and admin view is declared in it, and what it does
not list is refused."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from accounts import policy
from accounts.admin_sites import collectivite_admin, public_admin
from accounts.permissions import PolicyAdminMixin, PolicyPermission
from casestudies import workflow
from registry.vocabularies import Visibility

HANDLERS = ("get", "post", "put", "patch", "delete")


def _views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def _api_actions(urlconf: str):
    """(view class, action) of every DRF view of a URL configuration."""
    seen = set()
    for callback in _views(get_resolver(urlconf).url_patterns):
        cls = getattr(callback, "cls", None)
        if cls is None:
            continue
        actions = getattr(callback, "actions", None)
        if actions is not None:
            pairs = {
                (cls, action)
                for method, action in actions.items()
                if method in cls.http_method_names
            }
        else:
            pairs = {(cls, method) for method in HANDLERS if hasattr(cls, method)}
        for pair in pairs - seen:
            seen.add(pair)
            yield pair


@pytest.mark.parametrize("urlconf", ["config.urls_public", "config.urls_tenant"])
def test_every_api_action_is_declared_in_the_policy(urlconf):
    actions = list(_api_actions(urlconf))
    assert len(actions) > 5
    undeclared = [
        f"{cls.__name__}.{action}"
        for cls, action in actions
        if policy.api_rule(getattr(cls, "policy_name", None), action) is None
    ]
    assert undeclared == []


def test_every_view_is_decided_by_the_policy_permission():
    for urlconf in ("config.urls_public", "config.urls_tenant"):
        for cls, _action in _api_actions(urlconf):
            assert PolicyPermission in cls.permission_classes, cls


def test_every_page_of_a_collectivite_s_site_is_declared_in_the_policy():
    undeclared = []
    for pattern in _named_patterns(get_resolver("config.urls_tenant").url_patterns):
        name = pattern
        if name.startswith(policy.API_URL_NAMES):
            continue
        if policy.page_rule(name, "get") is None and policy.page_rule(name, "post") is None:
            undeclared.append(name)
    assert undeclared == []


def _named_patterns(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}"


@pytest.mark.parametrize("name", ["usecase-detail", "usecase-renamed-tomorrow"])
def test_a_page_the_policy_does_not_list_is_refused_to_members(people, annecy, name):
    decision = policy.page_decision(people["admin"], annecy, name, "get")
    assert decision == (policy.ALLOWED if name == "usecase-detail" else policy.FORBIDDEN)
    assert policy.page_decision(people["other"], annecy, name, "get") == policy.NOT_FOUND


def test_the_import_page_is_the_curators(client_for, people):
    assert policy.admin_page_allows("usecase-import", people["curator"])
    assert not policy.admin_page_allows("usecase-import", people["admin"])
    assert not policy.admin_page_allows("another-page", people["curator"])
    assert client_for(None, people["curator"]).get("/admin/import/").status_code == 200


@pytest.mark.parametrize("site", [public_admin, collectivite_admin])
def test_every_admin_view_is_declared_in_the_policy(site):
    rules = policy.ADMIN_RULES[site.name]
    undeclared = []
    for model, model_admin in site._registry.items():
        admins = [model_admin, *(inline(model, site) for inline in model_admin.inlines)]
        for each in admins:
            assert isinstance(each, PolicyAdminMixin), type(each)
            label = each.opts.label_lower
            if set(rules.get(label, {})) != set(policy.PERMISSIONS):
                undeclared.append(label)
    assert undeclared == []


class _RenameViewSet(viewsets.ViewSet):
    """An action nobody listed in the policy: it must be refused to everyone."""

    policy_name = "usecase"

    def rename(self, request):
        return Response({"ran": True})


@pytest.mark.parametrize("who", ["anonymous", "reader", "admin", "curator"])
def test_an_action_the_policy_does_not_list_is_refused(people, annecy, who):
    view = _RenameViewSet.as_view({"post": "rename"})
    request = APIRequestFactory().post("/x/", {}, format="json")
    request.collectivite = annecy
    if who != "anonymous":
        force_authenticate(request, people[who])
    response = view(request)
    assert response.status_code in (403, 404)
    assert "ran" not in (response.data or {})


def test_an_unknown_view_is_refused_even_to_operators(make_user):
    operator = make_user("ops@registre.test", superuser=True)
    assert policy.api_decision(operator, None, "nothing-here", "list") == policy.FORBIDDEN
    assert policy.api_decision(AnonymousUser(), None, "benchmark", "destroy") == policy.FORBIDDEN
    assert not policy.admin_allows("public_admin", "registry.unknown", "view", operator)


def test_transitions_of_the_workflow_and_of_the_policy_are_the_same():
    assert set(policy.TRANSITION_ACTORS) == set(workflow.TRANSITIONS)


def test_the_policy_visibilities_are_the_vocabulary_s():
    assert {policy.PUBLIC, policy.NETWORK} <= set(Visibility.values)
    assert policy.visibility_scope(AnonymousUser()) == [Visibility.PUBLIC]


def test_an_admin_model_outside_the_table_gets_no_right(people):
    class Unlisted(PolicyAdminMixin):
        admin_site = public_admin

        class opts:
            label_lower = "registry.unlisted"

    request = RequestFactory().get("/admin/")
    request.user = people["curator"]
    admin = Unlisted()
    assert not any(
        [
            admin.has_module_permission(request),
            admin.has_view_permission(request),
            admin.has_add_permission(request),
            admin.has_change_permission(request),
            admin.has_delete_permission(request),
        ]
    )
