from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import bruteforce, views
from accounts.forms import LoginForm, ThrottledPasswordResetForm

app_name = "accounts"


class PasswordResetView(auth_views.PasswordResetView):
    """Throttled per client address (a French error, whatever the address typed) and, in the
    form, per account (silently)."""

    form_class = ThrottledPasswordResetForm

    def form_valid(self, form):
        if not bruteforce.reset_allowed_from(self.request):
            form.add_error(None, bruteforce.reset_refused_message())
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


urlpatterns = [
    # An invitation's link (on the collectivité's site; a 404 on the public one).
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", authentication_form=LoginForm
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oubli/",
        PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/termine/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
