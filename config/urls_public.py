"""URLs of the public site (BASE_DOMAIN): shared registry, curators' admin."""

from django.urls import include, path

from registry import views as registry_views
from registry.admin import public_admin

urlpatterns = [
    path("", registry_views.home, name="home"),
    path("compte/", include("accounts.urls")),
    path("admin/", public_admin.urls),
]
