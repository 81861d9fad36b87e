"""URLs of a collectivité's site (<slug>.BASE_DOMAIN), reserved to its members."""

from django.urls import include, path

from casestudies import views as casestudies_views
from casestudies.admin import collectivite_admin

urlpatterns = [
    path("", casestudies_views.usecase_list, name="home"),
    path("cas-d-usage/<str:public_id>/", casestudies_views.usecase_detail, name="usecase-detail"),
    path("compte/", include("accounts.urls")),
    path("admin/", collectivite_admin.urls),
]
