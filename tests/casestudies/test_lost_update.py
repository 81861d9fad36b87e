"""Issue 10, defect 3: a write made on a stale copy of a use case loses nobody's work. The API
answers 412 to a stale If-Match; the form says what changed and by whom, and keeps the input."""

from django_tenants.utils import tenant_context

from casestudies.models import UseCase
from tests.casestudies.test_api_usecases import BASE
from tests.factories import DraftUseCaseFactory


def _title(annecy, public_id):
    with tenant_context(annecy):
        return UseCase.objects.values_list("title", "summary").get(public_id=public_id)


def test_a_stale_if_match_gets_412_and_writes_nothing(api_for, people, annecy):
    use_case = DraftUseCaseFactory(collectivite=annecy)
    url = f"{BASE}{use_case.public_id}/"
    first, second = (
        api_for("grand-annecy", people["contributor"]),
        api_for("grand-annecy", people["admin"]),
    )
    etag = first.get(url)["ETag"]
    assert etag
    changed = second.patch(url, {"title": "Titre de l'administrateur"}, format="json",
                           HTTP_IF_MATCH=etag)  # fmt: skip
    assert changed.status_code == 200 and changed["ETag"] != etag
    stale = first.patch(url, {"summary": "Résumé du contributeur, écrit sur une copie ancienne."},
                        format="json", HTTP_IF_MATCH=etag)  # fmt: skip
    assert stale.status_code == 412
    assert "admin@annecy.test" in stale.json()["detail"]
    title, summary = _title(annecy, use_case.public_id)
    assert title == "Titre de l'administrateur" and "copie ancienne" not in summary
    fresh = first.patch(url, {"summary": "Résumé du contributeur, à jour."}, format="json",
                        HTTP_IF_MATCH=changed["ETag"])  # fmt: skip
    assert fresh.status_code == 200
    assert _title(annecy, use_case.public_id) == ("Titre de l'administrateur",
                                                   "Résumé du contributeur, à jour.")  # fmt: skip


def test_without_if_match_the_api_writes_as_before(api_for, people, annecy):
    use_case = DraftUseCaseFactory(collectivite=annecy)
    response = api_for("grand-annecy", people["contributor"]).patch(
        f"{BASE}{use_case.public_id}/", {"title": "Sans condition"}, format="json"
    )
    assert response.status_code == 200


def test_two_members_on_the_same_step_lose_nothing(client_for, people, annecy):
    use_case = DraftUseCaseFactory(collectivite=annecy)
    url = f"/cas-d-usage/{use_case.public_id}/modifier/description/"
    a, b = (
        client_for("grand-annecy", people["admin"]),
        client_for("grand-annecy", people["contributor"]),
    )
    page_a, page_b = a.get(url), b.get(url)
    form_a = page_a.context["form"].initial | {"version": page_a.context["version"]}
    form_b = page_b.context["form"].initial | {"version": page_b.context["version"]}
    clean = {k: ("on" if v is True else v) for k, v in form_a.items() if v not in (None, False)}
    assert a.post(url, {**clean, "title": "Nouveau titre de A"}).status_code == 302
    clean_b = {k: ("on" if v is True else v) for k, v in form_b.items() if v not in (None, False)}
    answer = b.post(url, {**clean_b, "summary": "Le résumé que B vient d'écrire, à ne pas perdre."})
    page = answer.content.decode()
    assert answer.status_code == 200  # the form again, not a silent overwrite
    assert "admin@annecy.test" in page and "titre" in page
    assert "Le résumé que B vient d&#x27;écrire, à ne pas perdre." in page  # the input is kept
    assert _title(annecy, use_case.public_id)[0] == "Nouveau titre de A"  # A's title stays
    # B, warned, saves again from the form as it was shown: it applies.
    again = answer.context["form"].data.copy()
    again["version"] = answer.context["version"]
    assert b.post(url, again).status_code == 302
    assert "à ne pas perdre" in _title(annecy, use_case.public_id)[1]
