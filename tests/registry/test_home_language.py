"""The home page's key figures are cached per language (issue 10, defect 7)."""

from registry.models import BenchmarkEntry


def _statuses_shown(page: str) -> list[str]:
    import re

    return re.findall(r"<article><strong>[\d\s\u202f\xa0.,]+</strong>([^<]+)</article>", page)


def test_an_english_visit_does_not_leave_english_labels_on_the_french_home_page(client_for):
    assert BenchmarkEntry.objects.filter(status="pilot").exists()
    english = client_for(None).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Pilot" in _statuses_shown(english)
    french = client_for(None).get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    shown = _statuses_shown(french)
    assert "Expérimentation" in shown
    assert "Pilot" not in shown
