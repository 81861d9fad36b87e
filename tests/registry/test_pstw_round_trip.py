"""Round trip (issue 13): the benchmark exported in the PSTW's columns, read back by our own PSTW
adapter (registry/sources/pstw.py), gives the same records: each public entry lands, with its
title and status as we publish them (the PSTW's statuses are coarser than ours: « Planned »
is both our design and build steps, so a status comes back as one of its PSTW class)."""

from registry.models import BenchmarkEntry
from registry.sources import adapter_for
from registry.sources.base import Mapped
from registry.vocabularies import PSTW_CROSSWALK, Visibility
from tests.factories import PublishedUseCaseFactory


def test_our_pstw_export_reads_back_as_the_same_records(api_for, annecy):
    PublishedUseCaseFactory(collectivite=annecy, title="Tri des courriers entrants")
    response = api_for(None).get("/api/v1/benchmark/export.pstw.csv")
    assert response.status_code == 200
    content = response.getvalue()
    adapter = adapter_for("pstw")
    mapped = {}
    for row in adapter.read(content, "export.pstw.csv"):
        result = adapter.map(row)
        assert isinstance(result, Mapped), (row.number, result)
        mapped[result.fields["title"]] = result.fields
    public = BenchmarkEntry.objects.filter(visibility=Visibility.PUBLIC)
    assert len(mapped) == public.count() > 0
    for entry in public:
        fields = mapped[entry.title]
        pstw_status = PSTW_CROSSWALK["status"]
        assert pstw_status[fields["status"]] == pstw_status[entry.status], entry.public_id
