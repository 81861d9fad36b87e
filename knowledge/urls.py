from django.urls import path

from knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.index, name="index"),
    path("recherche/", views.search, name="search"),
    path("glossaire/", views.glossary, name="glossary"),
    path("risques/", views.risk_list, name="risk-list"),
    # A French slug; a risk's or a phase's code (the former addresses) redirects to it.
    path("risques/<slug:slug>/", views.risk_page, name="risk"),
    path("methode/", views.phase_list, name="phase-list"),
    path("methode/<slug:slug>/", views.phase_page, name="phase"),
    path("bibliographie/", views.bibliography, name="bibliography"),
    path("<slug:slug>/", views.article, name="article"),
]
