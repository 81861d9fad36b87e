"""URLs of a collectivité's site (<slug>.BASE_DOMAIN), reserved to its members."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from accounts.admin_sites import collectivite_admin
from accounts.api import ObtainTokenView
from casestudies import claim_views
from casestudies import views as casestudies_views
from casestudies.api import UseCaseViewSet
from config.urls_api import docs_urls
from registry import member_views

router = SimpleRouter()
router.register("use-cases", UseCaseViewSet, basename="usecase")

api_v1 = [
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    *router.urls,
]

urlpatterns = [
    # First: the API is the most asked, and its addresses share no prefix with the pages.
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("", casestudies_views.usecase_list, name="home"),
    path("maturite/", casestudies_views.maturity, name="maturity"),
    path("maturite/resultat/", casestudies_views.maturity_result, name="maturity-result"),
    path("cas-d-usage/nouveau/", casestudies_views.usecase_create, name="usecase-create"),
    path("cas-d-usage/<str:public_id>/", casestudies_views.usecase_detail, name="usecase-detail"),
    path(
        "cas-d-usage/<str:public_id>/modifier/<slug:step>/",
        casestudies_views.usecase_edit,
        name="usecase-edit",
    ),
    path(
        "cas-d-usage/<str:public_id>/verifier/",
        casestudies_views.usecase_verify,
        name="usecase-verify",
    ),
    path(
        "cas-d-usage/<str:public_id>/<slug:action>/",
        casestudies_views.usecase_action,
        name="usecase-action",
    ),
    path("sources-publiques/", claim_views.source_records, name="source-records"),
    path(
        "sources-publiques/<int:pk>/reprendre/",
        claim_views.source_record_claim,
        name="source-record-claim",
    ),
    path("membres/", member_views.members, name="members"),
    path("membres/inviter/", member_views.member_invite, name="member-invite"),
    path("membres/<int:pk>/role/", member_views.member_role, name="member-role"),
    path("membres/<int:pk>/retirer/", member_views.member_remove, name="member-remove"),
    path(
        "membres/invitations/<int:pk>/renvoyer/",
        member_views.invitation_resend,
        name="invitation-resend",
    ),
    path(
        "membres/invitations/<int:pk>/annuler/",
        member_views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("compte/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", collectivite_admin.urls),
    *docs_urls("config.urls_tenant", "Registre IA des collectivités — API de la collectivité"),
]

# French error answers, JSON under /api/; 503 while the database is down (config/errors.py).
handler400 = "config.errors.bad_request"
handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"
