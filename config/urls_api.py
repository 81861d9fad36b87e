"""OpenAPI documents and their viewers, served by the app itself (no CDN), decided by the policy
like every API view (accounts.policy.API_RULES["api-docs"])."""

from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from accounts.permissions import PolicyPermission


class _Docs:
    policy_name = "api-docs"
    permission_classes = [PolicyPermission]


class SchemaView(_Docs, SpectacularAPIView):
    pass


class SwaggerView(_Docs, SpectacularSwaggerSplitView):
    """The split view serves Swagger UI's start-up script as a file: no inline script (CSP)."""


class RedocView(_Docs, SpectacularRedocView):
    pass


def docs_urls(urlconf: str, title: str):
    return [
        path(
            "api/schema/",
            SchemaView.as_view(urlconf=urlconf, custom_settings={"TITLE": title}),
            name="schema",
        ),
        path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
        path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
    ]
