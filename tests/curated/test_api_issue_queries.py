"""The issue's four queries, in process, with their real answers from the real fixtures."""

from __future__ import annotations

from tests.api_client import gql

WHO_SAID = """{ claims(filter: {text: "China's not easy"}) { totalCount nodes {
    speaker { name } saidOn { date precision }
    citations { mode source { outlet { name } publishedOn { date precision } }
    evidence { exact start end } } } } }"""

LUTNICK = """{ people(filter: {name: "Lutnick"}) { nodes { name
    claims(orderBy: {field: SAID_ON, direction: DESC}) { totalCount
    nodes { summary citations { source { outlet { name } } evidence { exact } } } } } } }"""

MISSPELLING = """{ resolvePerson(name: "Li Changgang") { person { name aliases { name } } matched } }"""

LONDON = """{ negotiations(filter: {text: "London"}) { nodes { name venue startOn { date } endOn { date }
    delegates { person { name } party { name } lead
    titles { title citations { source { outlet { name } } } } }
    discrepancies { subject variants { value citations { source { outlet { name } } } } } } } }"""

CHINAS_NOT_EASY = {
    "claims": {
        "totalCount": 1,
        "nodes": [
            {
                "speaker": {"name": "Donald Trump"},
                "saidOn": {"date": "2025-06-09", "precision": "DAY"},
                "citations": [
                    {
                        "mode": "DIRECT",
                        "source": {
                            "outlet": {"name": "ASEAN Now"},
                            "publishedOn": {"date": "2025-06-11", "precision": "DAY"},
                        },
                        "evidence": {"exact": "China's not easy,", "start": 944, "end": 961},
                    },
                    {
                        "mode": "PARTIAL",
                        "source": {"outlet": {"name": "Caliber.Az"}, "publishedOn": None},
                        "evidence": {"exact": "China's not easy.", "start": 596, "end": 613},
                    },
                ],
            }
        ],
    }
}


def _outlet(citation: dict[str, dict[str, dict[str, str] | None]]) -> str | None:
    outlet = citation["source"]["outlet"]
    return None if outlet is None else outlet["name"]


def test_who_said_chinas_not_easy() -> None:
    assert gql(WHO_SAID) == CHINAS_NOT_EASY


def test_curly_apostrophe_finds_the_same_claim() -> None:
    curly = WHO_SAID.replace("China's not easy", "china\u2019s NOT easy")
    assert gql(curly) == CHINAS_NOT_EASY


def test_everything_lutnick_said_newest_first() -> None:
    people = gql(LUTNICK)["people"]["nodes"]
    assert [p["name"] for p in people] == ["Howard Lutnick"]
    claims = people[0]["claims"]
    assert claims["totalCount"] == 4
    rows = [
        (c["summary"], [(_outlet(x), x["evidence"]["exact"]) for x in c["citations"]])
        for c in claims["nodes"]
    ]
    assert rows == [
        ("Lutnick called the negotiations fruitful.", [("Caliber.Az", 'the negotiations "fruitful."')]),
        (
            "Lutnick said the talks were progressing positively and might extend into a third day"
            " if required.",
            [
                (
                    "Cnews Live",
                    "the talks were progressing positively and may extend into a third day if required",
                )
            ],
        ),
        (
            "Lutnick confirmed the two nations agreed a structure for implementing the Geneva deal.",
            [
                (
                    "EconoTimes",
                    "the two nations agreed to a structure for implementing a prior trade deal "
                    "signed in Geneva",
                )
            ],
        ),
        (
            "Lutnick said progress had been made on rare earth minerals and industrial magnets.",
            [
                (
                    "EconoTimes",
                    "progress had been made on resolving issues related to rare earth minerals and "
                    "industrial magnets",
                )
            ],
        ),
    ]


def test_a_misspelling_resolves() -> None:
    assert gql(MISSPELLING) == {
        "resolvePerson": [
            {
                "person": {
                    "name": "Li Chenggang",
                    "aliases": [{"name": "Li Chenggang"}, {"name": "Li Changgang"}],
                },
                "matched": "Li Changgang",
            }
        ]
    }


def test_the_london_round() -> None:
    rounds = gql(LONDON)["negotiations"]["nodes"]
    assert len(rounds) == 1
    london = rounds[0]
    assert (london["name"], london["venue"]) == ("London trade talks (June 2025)", "Lancaster House")
    assert (london["startOn"], london["endOn"]) == ({"date": "2025-06-09"}, {"date": "2025-06-10"})
    delegates = [
        (
            d["person"]["name"],
            d["party"]["name"],
            d["lead"],
            [(t["title"], [_outlet(c) for c in t["citations"]]) for t in d["titles"]],
        )
        for d in london["delegates"]
    ]
    assert delegates == [
        ("He Lifeng", "China", True, [("Vice Premier", ["Cnews Live", "ASEAN Now", None, "Caliber.Az"])]),
        (
            "Li Chenggang",
            "China",
            False,
            [
                ("Vice Commerce Minister", ["Cnews Live", "EconoTimes"]),
                ("China International Trade Representative", ["ASEAN Now"]),
            ],
        ),
        ("Wang Wentao", "China", False, [("Commerce Minister", ["ASEAN Now"])]),
        ("Scott Bessent", "United States", None, [("Treasury Secretary", ["ASEAN Now", None, "Caliber.Az"])]),
        (
            "Howard Lutnick",
            "United States",
            None,
            [("Commerce Secretary", ["Cnews Live", "ASEAN Now", None, "Caliber.Az", "EconoTimes"])],
        ),
        ("Jamieson Greer", "United States", None, [("Trade Representative", ["ASEAN Now", "EconoTimes"])]),
    ]
    discrepancies = [
        (d["subject"], [(v["value"], [_outlet(c) for c in v["citations"]]) for v in d["variants"]])
        for d in london["discrepancies"]
    ]
    assert discrepancies == [
        (
            "Spelling of the Chinese delegate's name (Li Chenggang or Li Changgang)",
            [("Li Chenggang", ["Cnews Live", "ASEAN Now"]), ("Li Changgang", ["EconoTimes"])],
        ),
        (
            "Li Chenggang's title",
            [
                ("Vice Commerce Minister", ["Cnews Live", "EconoTimes"]),
                ("China International Trade Representative", ["ASEAN Now"]),
            ],
        ),
        (
            "Whether the London talks had concluded",
            [
                (
                    "Ongoing when written: in a second day, or set to continue into tomorrow;"
                    " Lutnick noted the talks may extend into a third day if required",
                    ["Cnews Live", "Cnews Live", "ASEAN Now", None],
                ),
                ("Concluded after two days", ["Caliber.Az", "EconoTimes"]),
            ],
        ),
        (
            "The level of US tariffs on Chinese goods",
            [
                ("About 55%, to remain under the draft framework", ["Cnews Live"]),
                ("30 percent, after the Geneva cut from 145 percent", ["ASEAN Now"]),
            ],
        ),
    ]
