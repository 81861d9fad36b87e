"""The shared catalogue: tools and vendors, their merges and deprecation, what cannot be
deleted."""

import pytest
from django.core.exceptions import ValidationError

from registry.models import BenchmarkEntry, Tool, Vendor
from registry.services import tool_merge, vendor_merge
from tests.factories import DraftUseCaseFactory, PublishedUseCaseFactory

BASE = "/api/v1/use-cases/"
LIST = "/api/v1/benchmark/use-cases/"
QUEUE = "/api/v1/benchmark/review-queue/"


def test_merging_a_duplicate_tool_relinks_use_cases_and_benchmark_entries(api_for, people, annecy):
    duplicate = Tool.objects.create(slug="delib-ia", name="Délib IA (doublon)", kind="business",
                                    aliases=["DelibIA"])  # fmt: skip
    delibia = Tool.objects.get(slug="delibia")
    # a use case linked to the duplicate, published
    public_id = DraftUseCaseFactory(collectivite=annecy, tools=[duplicate]).public_id
    admin = api_for("grand-annecy", people["admin"])
    admin.post(f"{BASE}{public_id}/submit/", {"message": "Svp"}, format="json")
    api_for(None, people["curator"]).post(f"{QUEUE}{public_id}/approve/", {}, format="json")
    assert BenchmarkEntry.objects.get(public_id=public_id).tool_ids == [duplicate.pk]

    relinked = tool_merge(source=duplicate, target=delibia, actor=people["curator"])
    assert relinked == 1
    delibia.refresh_from_db()
    assert {"Délib IA (doublon)", "DelibIA", "Délib-IA"} <= set(delibia.aliases)
    entry = BenchmarkEntry.objects.get(public_id=public_id)
    assert entry.tool_ids == [delibia.pk]
    assert [tool["slug"] for tool in entry.payload["tools"]] == ["delibia"]
    # the benchmark filter and stats see the merged tool as Delibia
    ids = {r["public_id"] for r in api_for(None).get(f"{LIST}?tool={delibia.pk}").json()["results"]}
    assert public_id in ids
    # the collectivité's own API reads the link through the merge, and filters by it
    detail = admin.get(f"{BASE}{public_id}/").json()
    assert [tool["slug"] for tool in detail["tools"]] == ["delibia"]
    listed = admin.get(f"{BASE}?tool={delibia.pk}").json()["results"]
    assert public_id in {row["public_id"] for row in listed}
    # the merged tool cannot be linked any more
    response = admin.post(BASE, {**admin.get(f"{BASE}{public_id}/").json(), "tools": [duplicate.pk],
                                 "domains": ["juridique"]}, format="json")  # fmt: skip
    assert response.status_code == 400 and "tools" in response.json()
    # and its catalogue entry disappears from the tools list
    slugs = {row["slug"] for row in api_for(None).get("/api/v1/tools/").json()["results"]}
    assert "delib-ia" not in slugs and "delibia" in slugs


def test_merging_a_tool_into_itself_or_into_a_merged_tool_is_refused(people):
    a = Tool.objects.create(slug="a-tool", name="A", kind="business")
    b = Tool.objects.create(slug="b-tool", name="B", kind="business")
    with pytest.raises(ValidationError):
        tool_merge(source=a, target=a, actor=people["curator"])
    tool_merge(source=a, target=b, actor=people["curator"])
    c = Tool.objects.create(slug="c-tool", name="C", kind="business")
    with pytest.raises(ValidationError):
        tool_merge(source=c, target=a, actor=people["curator"])


def test_merging_vendors_moves_their_tools(people):
    duplicate = Vendor.objects.create(name="Open AI")
    tool = Tool.objects.create(slug="dall-e", name="DALL-E", kind="generalist", vendor=duplicate)
    openai = Vendor.objects.get(name="OpenAI")
    assert vendor_merge(source=duplicate, target=openai, actor=people["curator"]) == 1
    tool.refresh_from_db()
    assert tool.vendor == openai and "Open AI" in Vendor.objects.get(pk=openai.pk).aliases
    assert not Vendor.objects.filter(name="Open AI").exists()


def test_deprecated_tools_cannot_be_newly_linked_but_stay_where_they_are(api_for, people, annecy):
    linked = PublishedUseCaseFactory(collectivite=annecy, tool_slugs=["lexisnexis"]).public_id
    lexis = Tool.objects.get(slug="lexisnexis")
    lexis.deprecated = True
    lexis.save()
    contributor = api_for("grand-annecy", people["contributor"])
    body = contributor.get(f"{BASE}{linked}/").json()
    body.update(
        domains=[d["code"] for d in body["domains"]], tools=[t["id"] for t in body["tools"]]
    )
    assert contributor.put(f"{BASE}{linked}/", body, format="json").status_code == 200
    other = DraftUseCaseFactory(collectivite=annecy).public_id
    response = contributor.patch(f"{BASE}{other}/", {"tools": [lexis.pk]}, format="json")
    assert response.status_code == 400 and "tools" in response.json()


def test_curator_merges_tools_from_the_admin(client_for, people):
    duplicate = Tool.objects.create(slug="chat-gpt-4", name="Chat-GPT 4", kind="generalist")
    chatgpt = Tool.objects.get(slug="chatgpt")
    client = client_for(None, people["curator"])
    page = client.post("/admin/registry/tool/", {"action": "merge_tools",
                                                 "_selected_action": [duplicate.pk]})  # fmt: skip
    assert "Fusionner dans" in page.content.decode()
    done = client.post("/admin/registry/tool/", {"action": "merge_tools", "apply": "1",
                                                 "_selected_action": [duplicate.pk],
                                                 "target": chatgpt.pk})  # fmt: skip
    assert done.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == chatgpt


@pytest.mark.parametrize("path", ["/admin/registry/tool/{tool}/delete/",
                                  "/admin/registry/term/{term}/delete/"])  # fmt: skip
def test_catalogue_entries_linked_from_schemas_cannot_be_deleted(client_for, people, path):
    from registry.models import Term

    url = path.format(tool=Tool.objects.first().pk, term=Term.objects.first().pk)
    assert client_for(None, people["curator"]).get(url).status_code == 403
