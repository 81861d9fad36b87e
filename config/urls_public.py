"""URLs of the public site (BASE_DOMAIN): shared registry, federation API, curators' admin."""

import re

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from accounts.admin_sites import public_admin
from accounts.api import ObtainTokenView
from casestudies.curation import urls as curation_urls
from config.urls_api import docs_urls
from knowledge import api as knowledge_api
from registry import admin as registry_admin
from registry import api as registry_api
from registry import join as join_views
from registry import mapping_views, onboarding
from registry import open_data_views as open_data
from registry import views as registry_views

router = SimpleRouter()
router.register("benchmark/use-cases", registry_api.BenchmarkUseCaseViewSet, basename="benchmark")
router.register(
    "benchmark/use-cases", registry_api.BenchmarkCurationViewSet, basename="benchmark-curation"
)
curation_urls.register_api(router)
router.register("knowledge/articles", knowledge_api.ArticleViewSet, basename="knowledge-article")
router.register("knowledge/terms", knowledge_api.TermViewSet, basename="knowledge-term")
router.register("knowledge/risks", knowledge_api.RiskViewSet, basename="knowledge-risk")
router.register("knowledge/phases", knowledge_api.PhaseViewSet, basename="knowledge-phase")

# One extension a format (registry.exports.EXPORT_TYPES).
EXPORT_FORMATS = "|".join(re.escape(extension) for extension in registry_api.EXPORT_TYPES)

api_v1 = [
    path("benchmark/stats/", registry_api.StatsView.as_view(), name="benchmark-stats"),
    re_path(
        rf"^benchmark/export\.(?P<fmt>{EXPORT_FORMATS})$",
        registry_api.ExportView.as_view(),
        name="benchmark-export",
    ),
    path("collectivites/", registry_api.CollectiviteListView.as_view(), name="collectivite-list"),
    path("tools/", registry_api.ToolListView.as_view(), name="tool-list"),
    path("directory/", registry_api.DirectorySearchView.as_view(), name="directory"),
    path("coverage/", registry_api.CoverageView.as_view(), name="coverage"),
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    *router.urls,
]


# The curators' area (namespace "curation", accounts.policy.PUBLIC_PAGE_RULES): the review of
# submissions (casestudies.curation), the onboarding of collectivités (registry.onboarding),
# the requests to join (registry.join) and the lists read by column mapping
# (registry.mapping_views).
curators_pages = (
    [
        *curation_urls.page_urls[0],
        *(path(route, view, name=name) for route, view, name in onboarding.onboarding_urls),
        *(path(route, view, name=name) for route, view, name in join_views.curator_urls),
        *(path(route, view, name=name) for route, view, name in mapping_views.mapping_urls),
    ],
    curation_urls.page_urls[1],
)


def page(template):
    return registry_views.legal_page(f"pages/{template}.html")


urlpatterns = [
    # First: the API is the most asked, and its addresses share no prefix with the pages.
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("", registry_views.home, name="home"),
    path("cas-d-usage/", registry_views.explorer, name="explorer"),
    path("cas-d-usage/<str:public_id>/", registry_views.usecase_page, name="usecase-page"),
    path(
        "cas-d-usage/<str:public_id>/signaler/",
        registry_views.usecase_report,
        name="usecase-report",
    ),
    path("collectivites/", registry_views.collectivite_list, name="collectivite-list"),
    path("collectivites/<slug:slug>/", registry_views.collectivite_page, name="collectivite-page"),
    *(path(route, view, name=name) for route, view, name in join_views.public_urls),
    path("outils/", registry_views.tool_list, name="tool-list"),
    path("outils/<slug:slug>/", registry_views.tool_page, name="tool-page"),
    path("tableau-de-bord/", registry_views.dashboard, name="dashboard"),
    path("couverture/", registry_views.coverage, name="coverage"),
    path("couverture/couverture.csv", registry_views.coverage_csv, name="coverage-csv"),
    path("connaissances/", include("knowledge.urls")),
    path("mentions-legales/", page("mentions_legales"), name="legal"),
    path("accessibilite/", page("accessibilite"), name="accessibility"),
    path("donnees-personnelles/", page("donnees_personnelles"), name="privacy"),
    path("licence/", page("licence"), name="licence"),
    # Open data: the page, its files, schema and catalogue; the Atom feeds (registry.open_data).
    *(path(route, view, name=name) for route, view, name in open_data.public_urls),
    path("compte/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("curation/", include(curators_pages)),
    *curation_urls.admin_urls,
    path("admin/sources/importer/", registry_admin.source_import_view, name="source-import"),
    path("admin/", public_admin.urls),
    *docs_urls("config.urls_public", "Registre IA des collectivités — API commune"),
]

# French error answers, JSON under /api/; 503 while the database is down (config/errors.py).
handler400 = "config.errors.bad_request"
handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"
