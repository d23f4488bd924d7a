"""Open exports: citations as Web Annotations (expanded offline with pyld), as CSV; the Data Package."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from api.http.exports import ANNO_CONTEXT_FILE, ANNO_CONTEXT_URL, annotations_document, claims_csv
from schema.model.dataset import FIXTURE_MODELS
from tests.api_client import client, dataset
from tests.datafiles import DATA, FIXTURES, fixture_counts
from tests.jsonld_offline import offline_loader

OA = "http://www.w3.org/ns/oa#"
AS = "http://www.w3.org/ns/activitystreams#"
FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
RDF_VALUE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"
XSD_NNI = "http://www.w3.org/2001/XMLSchema#nonNegativeInteger"


def _expanded_annotations() -> dict[str, dict[str, Any]]:
    """Expands the served export with pyld (context from the repo) and returns annotations by @id."""
    body = client().get("/exports/annotations.jsonld").json()
    expanded = jsonld.expand(body, {"documentLoader": offline_loader})
    (collection,) = expanded
    (page,) = collection[f"{AS}first"]
    return {item["@id"]: item for item in page[f"{AS}items"][0]["@list"]}


def _selector(annotation: dict[str, Any], kind: str) -> dict[str, Any]:
    (target,) = annotation[f"{OA}hasTarget"]
    (found,) = [s for s in target[f"{OA}hasSelector"] if s["@type"] == [f"{OA}{kind}"]]
    return found


def test_annotations_expand_offline_to_the_web_annotation_vocabulary() -> None:
    annotations = _expanded_annotations()
    assert len(annotations) == len(dataset().citations) == fixture_counts()["citations"]
    caliber = annotations["urn:parley:citation:trump-china-not-easy--caliber"]
    assert caliber["@type"] == [f"{OA}Annotation"]
    assert caliber[f"{OA}motivatedBy"] == [{"@id": f"{OA}describing"}]
    (body,) = caliber[f"{OA}hasBody"]
    assert body["@id"] == "urn:parley:claim:trump-china-not-easy"
    assert body["@type"] == [f"{OA}TextualBody"]
    assert body[RDF_VALUE] == [{"@value": dataset().claims["trump-china-not-easy"].summary}]
    (speaker,) = body["urn:parley:terms:speaker"]
    assert speaker["@id"] == "urn:parley:person:donald-trump"
    assert speaker[FOAF_NAME] == [{"@value": "Donald Trump"}]
    (target,) = caliber[f"{OA}hasTarget"]
    assert target[f"{OA}hasSource"][0]["@id"] == "urn:parley:source:caliber-az-talks-conclude"
    quote = _selector(caliber, "TextQuoteSelector")
    assert quote[f"{OA}exact"] == [{"@value": "China's not easy."}]
    assert quote[f"{OA}prefix"] == [{"@value": ' "good reports" but added that "'}]
    assert quote[f"{OA}suffix"] == [{"@value": '" Vice Premier He Lifeng, who le'}]
    position = _selector(caliber, "TextPositionSelector")
    assert position[f"{OA}start"] == [{"@type": XSD_NNI, "@value": 596}]
    assert position[f"{OA}end"] == [{"@type": XSD_NNI, "@value": 613}]
    assert caliber["urn:parley:terms:citationMode"] == [{"@value": "partial"}]


def test_every_position_selector_picks_its_quote_out_of_the_seed_text() -> None:
    data = dataset()
    for item in annotations_document(data)["first"]["items"]:
        source_id = item["target"]["source"]["id"].removeprefix("urn:parley:source:")
        quote, position = item["target"]["selector"]
        text = data.seed_texts[source_id]
        assert text[position["start"] : position["end"]] == quote["exact"], item["id"]
        assert text[: position["start"]].endswith(quote["prefix"]), item["id"]


def test_the_offline_loader_refuses_any_other_url() -> None:
    with pytest.raises(jsonld.JsonLdError):
        document = {"@context": "http://example.org/other.jsonld", "a": 1}
        jsonld.expand(document, {"documentLoader": offline_loader})


def test_the_served_context_is_the_shipped_copy() -> None:
    response = client().get("/exports/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    assert response.content == ANNO_CONTEXT_FILE.read_bytes()
    context = response.json()["@context"]
    assert context["TextQuoteSelector"] == "oa:TextQuoteSelector"
    assert context["oa"] == OA


def test_annotations_are_served_as_built_with_the_annotation_profile() -> None:
    response = client().get("/exports/annotations.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"] == f'application/ld+json; profile="{ANNO_CONTEXT_URL}"'
    assert response.json() == json.loads(json.dumps(annotations_document(dataset())))
    assert response.json()["total"] == fixture_counts()["citations"]


def _csv_rows() -> list[dict[str, str]]:
    response = client().get("/exports/claims.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    assert response.text == claims_csv(dataset())
    assert response.content == (FIXTURES / "claims.csv").read_bytes()
    return list(csv.DictReader(io.StringIO(response.text, newline="")))


def test_claims_csv_has_one_row_per_citation_with_the_real_values() -> None:
    rows = _csv_rows()
    assert len(rows) == fixture_counts()["citations"]
    by_citation = {row["citation_id"]: row for row in rows}
    assert by_citation["trump-china-not-easy--caliber"] == {
        "citation_id": "trump-china-not-easy--caliber",
        "claim_id": "trump-china-not-easy",
        "speaker_id": "donald-trump",
        "speaker": "Donald Trump",
        "summary": dataset().claims["trump-china-not-easy"].summary,
        "said_on": "2025-06-09",
        "said_on_precision": "DAY",
        "source_id": "caliber-az-talks-conclude",
        "outlet": "Caliber.Az",
        "published_on": "",
        "published_on_precision": "",
        "mode": "PARTIAL",
        "exact": "China's not easy.",
        "start": str(dataset().citations["trump-china-not-easy--caliber"].evidence.start),
        "end": str(dataset().citations["trump-china-not-easy--caliber"].evidence.end),
    }
    assert by_citation["trump-china-not-easy--asean-now"]["published_on"] == "2025-06-11"
    assert by_citation["trump-china-not-easy--asean-now"]["exact"] == "China's not easy,"
    # Quotes inside a field survive the round trip through the csv module.
    assert by_citation["trump-only-good-reports--caliber"]["exact"] == 'he received "good reports"'
    # An article no seed attributes to an outlet has an empty outlet, not a guess.
    unattributed = by_citation["trump-china-restricting-rare-earths--unattributed"]
    assert (unattributed["source_id"], unattributed["outlet"]) == ("unattributed-talks-underway", "")
    # Modes and precisions are spelt as GraphQL spells them; every said_on is a whole date.
    assert {row["mode"] for row in rows} <= {"DIRECT", "PARTIAL", "PARAPHRASE"}
    assert {row["said_on_precision"] for row in rows} <= {"DAY", "MONTH", "YEAR", ""}
    assert all(len(row["said_on"]) in (0, 10) for row in rows)
    text = dataset().seed_texts
    for row in rows:
        source_text = text[row["source_id"]]
        assert source_text[int(row["start"]) : int(row["end"])] == row["exact"]


def test_a_month_precision_date_becomes_its_first_day_and_month() -> None:
    from schema.publish.tabular import _date

    assert _date({"date": "2025-06", "precision": "month"}) == ("2025-06-01", "MONTH")
    assert _date({"date": "2025", "precision": "year"}) == ("2025-01-01", "YEAR")
    assert _date({"date": "2025-06-09", "precision": "day"}) == ("2025-06-09", "DAY")
    assert _date(None) == ("", "")


def test_pandas_style_reading_gets_real_dates_and_integers() -> None:
    """What a data tool sees, through frictionless's typed reader and the Table Schema."""
    from frictionless import Package

    package = Package(str(FIXTURES / "datapackage.json"))
    rows = package.get_resource("claims-table").read_rows()
    assert len(rows) == fixture_counts()["citations"]
    first = rows[0]
    import datetime

    assert isinstance(first["said_on"], datetime.date)
    assert isinstance(first["start"], int)
    fields = {f.name: f for f in package.get_resource("claims-table").schema.fields}
    assert fields["mode"].constraints["enum"] == ["DIRECT", "PARTIAL", "PARAPHRASE"]
    assert fields["said_on_precision"].constraints["enum"] == ["DAY", "MONTH", "YEAR"]


EXPORTS = [
    "/exports/annotations.jsonld",
    "/exports/claims.csv",
    "/exports/context.jsonld",
    "/exports/claims.ndjson",
    "/fixtures/claims.csv",
]


@pytest.mark.parametrize("path", EXPORTS)
def test_exports_answer_like_the_fixture_downloads(path: str) -> None:
    import hashlib

    identity = {"accept-encoding": "identity"}  # the strong ETag is that of the bytes as built
    response = client().get(path, headers=identity)
    assert response.status_code == 200
    etag = response.headers["etag"]
    assert etag == f'"{hashlib.sha256(response.content).hexdigest()}"'
    assert response.headers["cache-control"] == "public, max-age=3600, must-revalidate"
    name = path.rsplit("/", 1)[1]
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    for header in (etag, f"W/{etag}", '"other", ' + etag, "*"):
        again = client().get(path, headers={"if-none-match": header, **identity})
        assert (again.status_code, again.content) == (304, b""), header
        assert again.headers["etag"] == etag
    assert client().get(path, headers={"if-none-match": '"other"', **identity}).status_code == 200


@pytest.mark.parametrize("stem", ["outlets", "sources", "people", "claims", "citations", "discrepancies"])
def test_ndjson_has_one_fixture_record_a_line(stem: str) -> None:
    response = client().get(f"/exports/{stem}.ndjson")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    lines = response.content.split(b"\n")
    assert lines[-1] == b""
    records = [json.loads(line) for line in lines[:-1]]
    assert records == json.loads((FIXTURES / f"{stem}.json").read_bytes())


def test_the_datapackage_schema_links_resolve_on_disk_and_over_http() -> None:
    from urllib.parse import urljoin

    package = json.loads((FIXTURES / "datapackage.json").read_bytes())
    linked = [r for r in package["resources"] if "jsonSchema" in r]
    assert len(linked) == len(fixture_counts())  # one JSON Schema per fixture file
    for resource in linked:
        on_disk = (FIXTURES / resource["jsonSchema"]).resolve()
        assert on_disk.is_file(), resource["jsonSchema"]
        for base in ("http://testserver/fixtures/datapackage.json", "http://testserver/fixtures/"):
            url = urljoin(base, resource["jsonSchema"])
            served = client().get(url)
            assert served.status_code == 200, url
            assert served.content == on_disk.read_bytes()


def _frictionless(target: str) -> dict[str, Any]:
    frictionless = Path(sys.executable).parent / "frictionless"
    result = subprocess.run(
        [str(frictionless), "validate", "--json", target],
        cwd=DATA,  # "fixtures/datapackage.json" is the data under test's
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def resources() -> list[str]:
    """The resources the fixtures' data package must list: each entity's file, claims.csv's table,
    and changes.json when the data has one."""
    changes = ["changes"] if (FIXTURES / "changes.json").is_file() else []
    return [*FIXTURE_MODELS, "claims-table", *changes]


def test_frictionless_validates_the_data_package() -> None:
    report = _frictionless("fixtures/datapackage.json")
    assert report["valid"] is True
    assert [task["name"] for task in report["tasks"]] == resources()
    (table,) = [task for task in report["tasks"] if task["name"] == "claims-table"]
    assert (table["type"], table["stats"]["rows"]) == ("table", fixture_counts()["citations"])
