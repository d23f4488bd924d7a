"""Record types through the API: sources with text and spans, claims, people, dates, credit, meta."""

from __future__ import annotations

import hashlib

from tests.api_client import gql
from tests.datafiles import FIXTURES, SEEDS, fixture_counts


def test_a_source_with_headline_author_and_why_its_date_is_null() -> None:
    data = gql(
        """{ source(slug: "caliber-az-talks-conclude") { headline headlineEvidence { start end }
        author outlet { name } outletEvidence { exact } publishedOn { date } notes { field note }
        verification { by methods } } }"""
    )
    assert data["source"] == {
        "headline": "US, China conclude trade talks in London",
        "headlineEvidence": [{"start": 0, "end": 40}],
        "author": "Vafa Guliyeva",
        "outlet": {"name": "Caliber.Az"},
        "outletEvidence": [{"exact": "Caliber.Az reports, citing foreign media"}],
        "publishedOn": None,
        "notes": [
            {
                "field": "published_on",
                "note": "The text prints no publication date; "
                "it is not inferred from the events it describes.",
            },
            {
                "field": "outlet",
                "note": (
                    "Curator's inference: the text says 'Caliber.Az reports, citing foreign media', "
                    "read as the article naming its own outlet; it could as well be another site "
                    "citing Caliber.Az. The text prints no masthead."
                ),
            },
        ],
        "verification": {"by": "curator", "methods": ["selector-checked", "read-in-context"]},
    }


def test_source_text_is_the_seed_and_every_span_indexes_into_it() -> None:
    data = gql(
        """{ sources { nodes { seed text citedSpans { start end exact }
        evidence { start end exact prefix suffix } } } }"""
    )
    for source in data["sources"]["nodes"]:
        text = (SEEDS / source["seed"]).read_bytes().decode("utf-8")
        assert source["text"] == text
        assert source["citedSpans"], source["seed"]
        starts = [(s["start"], s["end"]) for s in source["citedSpans"]]
        assert starts == sorted(set(starts))  # by position, each once
        for span in source["citedSpans"] + source["evidence"]:
            assert text[span["start"] : span["end"]] == span["exact"]
        for span in source["evidence"]:
            assert text[: span["start"]].endswith(span["prefix"])
            assert text[span["end"] :].startswith(span["suffix"])


def test_cited_spans_of_one_article() -> None:
    data = gql('{ source(slug: "caliber-az-talks-conclude") { citedSpans { start end } } }')
    assert [(s["start"], s["end"]) for s in data["source"]["citedSpans"]] == [
        (431, 455),
        (503, 531),
        (553, 579),
        (596, 613),
        (723, 800),
        (913, 970),
        (1156, 1244),
        (1495, 1655),
        (1693, 1746),
        (2176, 2225),
    ]


def test_a_syndicated_article_credits_its_wire_service_and_dates_itself() -> None:
    data = gql(
        """{ source(slug: "asean-now-fragile-progress") { credit { text origin { name kind }
        evidence { exact start } }
        publishedOn { date precision note earliest latest evidence { exact } } } }"""
    )
    assert data["source"] == {
        "credit": {
            "text": "Adapted by ASEAN Now from AP",
            "origin": {"name": "AP", "kind": "WIRE_SERVICE"},
            "evidence": [{"exact": "Adapted by ASEAN Now from AP", "start": 3334}],
        },
        "publishedOn": {
            "date": "2025-06-11",
            "precision": "DAY",
            "note": "The date printed after the credit line.",
            "earliest": "2025-06-11",
            "latest": "2025-06-11",
            "evidence": [{"exact": "2025-06-11"}],
        },
    }


def test_a_claim_with_its_reports_setting_and_independent_sources() -> None:
    data = gql(
        """{ claim(slug: "trump-china-not-easy") { independentSourceCount
        asOf11: independentSourceCount(asOf: "2025-06-11") outlets { name } sources { slug }
        setting settingEvidence { exact } topics negotiation { slug }
        citations(asOf: "2025-06-11") { slug cue { exact } }
        speaker { slug named kind description affiliations { role organization party { name } } } } }"""
    )
    assert data["claim"] == {
        "independentSourceCount": 2,
        "asOf11": 1,
        "outlets": [{"name": "ASEAN Now"}, {"name": "Caliber.Az"}],
        "sources": [{"slug": "asean-now-fragile-progress"}, {"slug": "caliber-az-talks-conclude"}],
        "setting": "told reporters at the White House",
        "settingEvidence": [{"exact": "told reporters at the White House"}],
        "topics": ["talks-progress"],
        "negotiation": {"slug": "london-2025"},
        "citations": [{"slug": "trump-china-not-easy--asean-now", "cue": {"exact": "told reporters"}}],
        "speaker": {
            "slug": "donald-trump",
            "named": True,
            "kind": "INDIVIDUAL",
            "description": (
                "US President; spoke to reporters at the White House. The seeds say he and Xi "
                "Jinping 'are expected to review the proposed framework' and that the next steps "
                "'hinge on approval from President Donald Trump'."
            ),
            "affiliations": [{"role": "President", "organization": None, "party": {"name": "United States"}}],
        },
    }


def test_claim_citations_as_reported_by_one_outlet() -> None:
    data = gql(
        '{ claim(slug: "trump-china-not-easy") { citations(outlet: "caliber-az") { mode outlet { name } } } }'
    )
    assert data["claim"]["citations"] == [{"mode": "PARTIAL", "outlet": {"name": "Caliber.Az"}}]


def test_every_alias_has_its_evidence() -> None:
    data = gql(
        """{ person(slug: "li-chenggang") { aliases { name evidence { source { slug } exact start end
        prefix suffix } } delegateSeats { slug negotiation { slug } titles { title } } } }"""
    )
    assert data["person"] == {
        "aliases": [
            {
                "name": "Li Chenggang",
                "evidence": [
                    {
                        "source": {"slug": "cnews-live-second-day"},
                        "exact": "Li Chenggang",
                        "start": 888,
                        "end": 900,
                        "prefix": "feng and Vice Commerce Minister ",
                        "suffix": ", signaling China\u2019s strong inten",
                    },
                    {
                        "source": {"slug": "asean-now-fragile-progress"},
                        "exact": "Li Chenggang",
                        "start": 748,
                        "end": 760,
                        "prefix": "ernational Trade Representative ",
                        "suffix": ". The United States was represen",
                    },
                ],
            },
            {
                "name": "Li Changgang",
                "evidence": [
                    {
                        "source": {"slug": "econotimes-talks-resume"},
                        "exact": "Li Changgang",
                        "start": 1370,
                        "end": 1382,
                        "prefix": "se side, Vice Commerce Minister ",
                        "suffix": " described the talks as positive",
                    }
                ],
            },
        ],
        "delegateSeats": [
            {
                "slug": "london-2025--li-chenggang",
                "negotiation": {"slug": "london-2025"},
                "titles": [
                    {"title": "Vice Commerce Minister"},
                    {"title": "China International Trade Representative"},
                ],
            }
        ],
    }


def test_negotiations_link_to_their_predecessor_and_successors() -> None:
    data = gql(
        """{ negotiation(slug: "london-2025") { location host predecessor { slug startOn { date precision } }
        successors { slug } } geneva: negotiation(slug: "geneva-2025") { successors { slug } } }"""
    )
    london = data["negotiation"]
    assert london["predecessor"] == {
        "slug": "geneva-2025",
        "startOn": {"date": "2025-05", "precision": "MONTH"},
    }
    assert london["successors"] == []
    assert (london["location"], london["host"]) == ("London", "UK Foreign Office")
    assert data["geneva"]["successors"] == [{"slug": "london-2025"}]


def test_meta_names_the_dataset_its_licence_counts_and_file_hashes() -> None:
    meta = gql(
        "{ meta { name version licences { name path } counts { entity count }"
        " files { name sha256 bytes url } } }"
    )["meta"]
    assert (meta["name"], meta["version"]) == ("parley", "0.3.0")
    assert meta["licences"] == [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}]
    assert [(c["entity"], c["count"]) for c in meta["counts"]] == list(fixture_counts().items())
    on_disk = sorted(p.name for p in FIXTURES.glob("*.json"))
    assert [f["name"] for f in meta["files"]] == on_disk
    for file in meta["files"]:
        content = (FIXTURES / file["name"]).read_bytes()
        assert file["sha256"] == hashlib.sha256(content).hexdigest()
        assert (file["bytes"], file["url"]) == (len(content), f"/fixtures/{file['name']}")
