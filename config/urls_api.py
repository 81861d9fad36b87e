"""OpenAPI documents and their viewers, served by the app itself (no CDN), decided by the policy
like every API view (accounts.policy.API_RULES["api-docs"])."""

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

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


class ApiIndexView(_Docs, APIView):
    """`/api/v1/`: what a newcomer to the API needs first, rather than a 404."""

    authentication_classes = []
    title = ""

    @extend_schema(exclude=True)
    def get(self, request):
        return Response(
            {
                "title": self.title,
                "documentation": reverse("swagger-ui", request=request),
                "redoc": reverse("redoc", request=request),
                "schema": reverse("schema", request=request),
                "authentication": _(
                    "Authorization: Token <clé> ; la clé s'obtient par POST sur %(url)s."
                )
                % {"url": reverse("v1:auth-token", request=request)},
            }
        )


def docs_urls(urlconf: str, title: str):
    return [
        path(
            "api/schema/",
            SchemaView.as_view(urlconf=urlconf, custom_settings={"TITLE": title}),
            name="schema",
        ),
        path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
        path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
        path("api/v1/", ApiIndexView.as_view(title=title), name="api-index"),
    ]
