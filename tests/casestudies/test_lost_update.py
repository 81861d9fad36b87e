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
    assert again["title"] == "Nouveau titre de A"  # B had not touched it: A's is shown
    assert b.post(url, again).status_code == 302
    assert _title(annecy, use_case.public_id) == (
        "Nouveau titre de A",  # saving again did not put back the title B had read
        "Le résumé que B vient d'écrire, à ne pas perdre.",
    )


def _clean(form, version):
    values = form.initial | {"version": version}
    return {k: ("on" if v is True else v) for k, v in values.items() if v not in (None, False)}


def test_a_field_both_changed_keeps_the_writer_s_input_and_says_the_colleague_s(
    client_for, people, annecy
):
    use_case = DraftUseCaseFactory(collectivite=annecy)
    url = f"/cas-d-usage/{use_case.public_id}/modifier/description/"
    a, b = (
        client_for("grand-annecy", people["admin"]),
        client_for("grand-annecy", people["contributor"]),
    )
    page_a, page_b = a.get(url), b.get(url)
    read_b = _clean(page_b.context["form"], page_b.context["version"])
    a.post(url, {**_clean(page_a.context["form"], page_a.context["version"]), "title": "De A"})
    answer = b.post(url, {**read_b, "title": "De B"})
    assert answer.status_code == 200
    form = answer.context["form"]
    assert form.data["title"] == "De B"
    assert "Modifié entre-temps par admin@annecy.test : « De A »" in form.errors["title"][0]
    assert _title(annecy, use_case.public_id)[0] == "De A"
    again = form.data.copy()
    again["version"] = answer.context["version"]
    assert b.post(url, again).status_code == 302  # B saw it and keeps theirs
    assert _title(annecy, use_case.public_id)[0] == "De B"


def test_a_list_the_colleague_changed_is_not_put_back(client_for, people, annecy):
    use_case = DraftUseCaseFactory(collectivite=annecy)
    url = f"/cas-d-usage/{use_case.public_id}/modifier/classification/"
    a, b = (
        client_for("grand-annecy", people["admin"]),
        client_for("grand-annecy", people["contributor"]),
    )
    page_a, page_b = a.get(url), b.get(url)

    def posted(page):
        form = page.context["form"]
        data = {"version": page.context["version"]}
        for name in form.fields:
            value = form[name].value()
            if isinstance(value, list | tuple):
                data[name] = [str(item) for item in value]
            elif value is True:
                data[name] = "on"
            elif value not in (None, False):
                data[name] = str(value)
        return data

    data_a, data_b = posted(page_a), posted(page_b)
    domains = page_a.context["form"].fields["domains"].queryset
    extra = str(domains.exclude(pk__in=data_a.get("domains", [])).first().pk)
    assert (
        a.post(url, {**data_a, "domains": [*data_a.get("domains", []), extra]}).status_code == 302
    )
    answer = b.post(url, {**data_b, "automation_level": "recommendation"})
    assert answer.status_code == 200, answer.content.decode()[:3000]
    again = answer.context["form"].data.copy()
    assert extra in again.getlist("domains")  # A's domain is in the form B sees
    again["version"] = answer.context["version"]
    assert b.post(url, dict(again.lists())).status_code == 302  # (every value of a list)
    with tenant_context(annecy):
        saved = UseCase.objects.get(public_id=use_case.public_id)
        assert saved.domains.filter(pk=extra).exists()
        assert saved.automation_level == "recommendation"
