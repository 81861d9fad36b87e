"""OpenAPI documents and their viewers, served by the app itself (no CDN)."""

from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)


def docs_urls(urlconf: str, title: str):
    return [
        path(
            "api/schema/",
            SpectacularAPIView.as_view(urlconf=urlconf, custom_settings={"TITLE": title}),
            name="schema",
        ),
        # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
        path(
            "api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"
        ),
        path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    ]
