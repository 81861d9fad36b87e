"""What the curation module adds to the public site's URLs (config.urls_public mounts it)."""

from django.urls import path

from casestudies.curation import admin as curation_admin
from casestudies.curation import api, views


def register_api(router) -> None:
    router.register("benchmark/review-queue", api.ReviewQueueViewSet, basename="review-queue")
    router.register(
        "benchmark/use-cases", api.BenchmarkDecisionViewSet, basename="benchmark-decision"
    )


# Before the admin's own URLs: a page of the curators' admin (its permission, its layout).
admin_urls = [path("admin/import/", curation_admin.import_view, name="usecase-import")]

# The curators' pages of the public site (namespace "curation", accounts.policy.PUBLIC_PAGE_RULES).
page_urls = (
    [
        path("soumissions/", views.queue, name="queue"),
        path("soumissions/<int:pk>/", views.review_page, name="review"),
    ],
    "curation",
)
