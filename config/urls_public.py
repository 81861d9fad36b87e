"""URLs of the public site (BASE_DOMAIN): shared registry, federation API, curators' admin."""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from accounts.api import ObtainTokenView
from config.urls_api import docs_urls
from registry import api as registry_api
from registry import views as registry_views
from registry.admin import public_admin

router = SimpleRouter()
router.register("benchmark/use-cases", registry_api.BenchmarkUseCaseViewSet, basename="benchmark")
router.register(
    "benchmark/use-cases", registry_api.BenchmarkCurationViewSet, basename="benchmark-curation"
)
router.register("benchmark/review-queue", registry_api.ReviewQueueViewSet, basename="review-queue")

api_v1 = [
    path("benchmark/stats/", registry_api.StatsView.as_view(), name="benchmark-stats"),
    re_path(
        r"^benchmark/export\.(?P<fmt>csv|xlsx|json)$",
        registry_api.ExportView.as_view(),
        name="benchmark-export",
    ),
    path("collectivites/", registry_api.CollectiviteListView.as_view(), name="collectivite-list"),
    path("tools/", registry_api.ToolListView.as_view(), name="tool-list"),
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    *router.urls,
]

urlpatterns = [
    path("", registry_views.home, name="home"),
    path("compte/", include("accounts.urls")),
    path("admin/", public_admin.urls),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    *docs_urls("config.urls_public", "Registre IA des collectivités — API commune"),
]
