"""The curator's workbench: the hand-extracted facts, anchored to the seeds, written to fixtures/.

Every fact below was read off a seed by hand; this script only computes the selectors
(offsets, prefix, suffix) from the exact words so that no offset is typed by hand. The
JSON it writes is the published, verified artefact; the loader re-checks every selector.

Run: .venv/bin/python tools/curate.py  (then: .venv/bin/python -m schema generate)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from schema.seeds import sha256_hex
from schema.selectors import make_evidence

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURES = ROOT / "fixtures"
VERIFIED = {"by": "curator", "on": "2026-11-21", "methods": ["selector-checked", "read-in-context"]}

SEED_FILES = {
    "cnews-live-second-day": "000_272d132864fddf28.txt",
    "asean-now-fragile-progress": "001_da4a70c692c9a507.txt",
    "unattributed-talks-underway": "002_b6b1e0ca712ab53b.txt",
    "caliber-az-talks-conclude": "003_7f228ed095719f81.txt",
    "econotimes-talks-resume": "004_1a66d12ec2e3693a.txt",
}
S0, S1, S2, S3, S4 = SEED_FILES
SHORT = {S0: "cnews", S1: "asean-now", S2: "unattributed", S3: "caliber", S4: "econotimes"}
TEXTS = {sid: (SEEDS / name).read_bytes().decode("utf-8") for sid, name in SEED_FILES.items()}


def ev(source: str, exact: str, after: str | None = None) -> dict[str, Any]:
    """Anchors `exact` in the seed: its first occurrence at or after the first occurrence of `after`."""
    return make_evidence(source, TEXTS[source], exact, after=after).model_dump(mode="json")


def att(value: str, *evidence: dict[str, Any]) -> dict[str, Any]:
    return {"value": value, "evidence": list(evidence)}


def rec(id_: str, notes: dict[str, str] | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "id": id_,
        **fields,
        "notes": [{"field": k, "note": v} for k, v in (notes or {}).items()],
        "verification": VERIFIED,
    }


# ---------------------------------------------------------------- outlets
outlets = [
    rec("cnews-live", name="Cnews Live", kind="news-site",
        aliases=[{"name": "Cnews Live", "evidence": [ev(S0, "Cnews Live")]}],
        notes={"kind": "Curator's classification: the page carries a comments section and disclaims "
               "its comments as 'not from Cnews Live'."}),
    rec("asean-now", name="ASEAN Now", kind="forum",
        aliases=[{"name": "ASEAN Now", "evidence": [ev(S1, "ASEAN Now")]}],
        notes={"kind": "The page is a forum thread ('Recommended Posts', 'Posted', 'Sign up for a new "
               "account in our community')."}),
    rec("ap", name="AP", kind="wire-service",
        aliases=[{"name": "AP", "evidence": [ev(S1, "AP", after="Adapted by ASEAN Now from")]}],
        notes={"name": "The seed prints only the abbreviation 'AP'; no fuller name is given, so none is "
               "recorded.", "kind": "Named only as the origin of an adapted story in a credit line."}),
    rec("caliber-az", name="Caliber.Az", kind="news-site",
        aliases=[{"name": "Caliber.Az", "evidence": [ev(S3, "Caliber.Az")]}],
        notes={"kind": "The article names itself in the third person ('Caliber.Az reports, citing "
               "foreign media'); no masthead is in the text."}),
    rec("econotimes", name="EconoTimes", kind="news-site",
        aliases=[{"name": "EconoTimes", "evidence": [ev(S4, "EconoTimes")]}],
        notes={"kind": "Named in the page chrome ('Welcome to EconoTimes')."}),
]

# ---------------------------------------------------------------- sources
NO_AUTHOR = "The text prints no byline."
NO_DATE = "The text prints no publication date; it is not inferred from the events it describes."
sources = [
    rec(S0, seed=SEED_FILES[S0], outlet="cnews-live",
        outlet_evidence=[ev(S0, "The comments posted here are not from Cnews Live")],
        headline=att("U.S.–China Trade Talks Enter Second Day with Rare Earths and Export Controls in Focus",
                     ev(S0, "U.S.–China Trade Talks Enter Second Day with Rare Earths and Export Controls in Focus")),
        author=None, published_on=None,
        notes={"author": NO_AUTHOR, "published_on": NO_DATE,
               "outlet": "Inferred from the site's comment disclaimer, the only place the outlet is named."}),
    rec(S1, seed=SEED_FILES[S1], outlet="asean-now",
        outlet_evidence=[ev(S1, "Adapted by ASEAN Now from AP")],
        headline=att("Fragile Progress: US-China Trade Talks Enter Second Day in London",
                     ev(S1, "Fragile Progress: US-China Trade Talks Enter Second Day in London")),
        author=None,
        published_on={"date": "2025-06-11", "precision": "day",
                      "note": "The date printed after the credit line.",
                      "evidence": [ev(S1, "2025-06-11")]},
        credit={"text": "Adapted by ASEAN Now from AP", "origin": "ap",
                "evidence": [ev(S1, "Adapted by ASEAN Now from AP")]},
        notes={"author": NO_AUTHOR + " The story is credited as adapted from AP."}),
    rec(S2, seed=SEED_FILES[S2], outlet=None, outlet_evidence=[],
        headline=None, author=None, published_on=None,
        notes={"outlet": "No outlet is named anywhere in the text; it stays unknown.",
               "headline": "The text starts with the first paragraph; no headline is included.",
               "author": NO_AUTHOR, "published_on": NO_DATE}),
    rec(S3, seed=SEED_FILES[S3], outlet="caliber-az",
        outlet_evidence=[ev(S3, "Caliber.Az reports, citing foreign media")],
        headline=att("US, China conclude trade talks in London", ev(S3, "US, China conclude trade talks in London")),
        author=att("Vafa Guliyeva", ev(S3, "Vafa Guliyeva")),
        published_on=None,
        notes={"published_on": NO_DATE,
               "outlet": "The article names Caliber.Az as reporting it, citing foreign media."}),
    rec(S4, seed=SEED_FILES[S4], outlet="econotimes",
        outlet_evidence=[ev(S4, "Welcome to EconoTimes")],
        headline=att("US-China Trade Talks Resume With Rare Earths, Chip Controls at the Center",
                     ev(S4, "US-China Trade Talks Resume With Rare Earths, Chip Controls at the Center")),
        author=None, published_on=None,
        notes={"author": NO_AUTHOR + " 'Sgt. Mikki Sprenkle' is credited for the image, not the text.",
               "published_on": NO_DATE + " It refers to 'Tuesday's development' without a date.",
               "outlet": "Named in the page chrome ('Welcome to EconoTimes')."}),
]
for s in sources:
    s["sha256"] = sha256_hex((SEEDS / s["seed"]).read_bytes())


def spans(exact: str, *where: str | tuple[str, str]) -> list[dict[str, Any]]:
    """Evidence for `exact` in each source given (a source id, or (source id, text it follows))."""
    out = []
    for w in where:
        source, after = (w, None) if isinstance(w, str) else w
        out.append(ev(source, exact, after))
    return out


def alias(name: str, *where: str | tuple[str, str]) -> dict[str, Any]:
    return {"name": name, "evidence": spans(name, *where)}


def affil(role: str, exact: str, *where: str | tuple[str, str], party: str | None = None,
          organization: str | None = None) -> dict[str, Any]:
    return {"role": role, "organization": organization, "party": party, "evidence": spans(exact, *where)}


# ---------------------------------------------------------------- parties
parties = [
    rec("united-states", name="United States", evidence=spans("United States", S0, S2)),
    rec("china", name="China", evidence=spans("China", (S0, "The United States and "), (S2, "United States and "))),
]

# ---------------------------------------------------------------- people
US, CN = "united-states", "china"


def person(id_: str, name: str, *, named: bool = True, kind: str = "individual",
           description: str | None = None, aliases: list[dict[str, Any]] | None = None,
           affiliations: list[dict[str, Any]] | None = None, notes: dict[str, str] | None = None) -> dict[str, Any]:
    return rec(id_, notes, name=name, named=named, kind=kind, description=description,
               aliases=aliases or [], affiliations=affiliations or [])


people = [
    person("donald-trump", "Donald Trump",
           description="US President; speaks to reporters at the White House, did not sit at the table.",
           aliases=[alias("Donald Trump", S0, S2, S4), alias("Trump", S1, S3)],
           affiliations=[affil("President", "President Donald Trump", S0, S2, S4, party=US)]),
    person("xi-jinping", "Xi Jinping",
           description="Chinese President; reviews the framework, did not sit at the table.",
           aliases=[alias("Xi Jinping", S0, S2, S3, S4), alias("Xi", (S4, "submitted to President"))],
           affiliations=[affil("President", "Chinese President Xi Jinping", S0, S2, S4, party=CN)]),
    person("howard-lutnick", "Howard Lutnick", description="US Commerce Secretary; US delegate in London.",
           aliases=[alias("Howard Lutnick", S0, S1, S2, S3, S4), alias("Lutnick", (S4, "The next steps"))],
           affiliations=[affil("Commerce Secretary", "Commerce Secretary", S0, S1, S2, S3, S4, party=US)]),
    person("scott-bessent", "Scott Bessent", description="US Treasury Secretary; US delegate in London.",
           aliases=[alias("Scott Bessent", S1, S2, S3)],
           affiliations=[affil("Treasury Secretary", "Treasury Secretary", S1, S2, S3, party=US)]),
    person("jamieson-greer", "Jamieson Greer", description="US Trade Representative; US delegate in London.",
           aliases=[alias("Jamieson Greer", S1, S4)],
           affiliations=[affil("Trade Representative", "Trade Representative", S1, S4, party=US)]),
    person("he-lifeng", "He Lifeng", description="Chinese Vice Premier; led China's delegation.",
           aliases=[alias("He Lifeng", S0, S1, S2, S3)],
           affiliations=[affil("Vice Premier", "Vice Premier", S0, S1, S2, S3, party=CN)]),
    person("li-chenggang", "Li Chenggang",
           description="Chinese delegate in London; the seeds disagree on his title and on the spelling of his name.",
           aliases=[alias("Li Chenggang", S0, S1), alias("Li Changgang", S4)],
           affiliations=[
               affil("Vice Commerce Minister", "Vice Commerce Minister", S0, S4, party=CN),
               affil("China International Trade Representative", "China International Trade Representative",
                     S1, party=CN)],
           notes={"name": "Canonical spelling is the one printed by two of the three seeds that name him "
                  "(Cnews Live and ASEAN Now); EconoTimes prints 'Li Changgang'."}),
    person("wang-wentao", "Wang Wentao", description="Chinese Commerce Minister; Chinese delegate in London.",
           aliases=[alias("Wang Wentao", S1)],
           affiliations=[affil("Commerce Minister", "Commerce Minister Wang Wentao", S1, party=CN)]),
    person("kevin-hassett", "Kevin Hassett", description="US official; comments from outside the talks.",
           aliases=[alias("Kevin Hassett", S1), alias("Hassett", (S1, "handshake,"))],
           affiliations=[affil("US official", "US official", S1, party=US)]),
    person("kathleen-brooks", "Kathleen Brooks", description="Analyst quoted by AP via ASEAN Now.",
           aliases=[alias("Kathleen Brooks", S1), alias("Brooks", (S1, "According to"))],
           affiliations=[affil("research director", "research director at trading group XTB", S1,
                               organization="XTB")]),
    person("us-court-of-international-trade", "US Court of International Trade", kind="group",
           description="US court that blocked the implementation of Trump's sweeping tariffs.",
           aliases=[alias("US Court of International Trade", S3)]),
    person("sources-close-to-the-discussions", "Sources close to the discussions", named=False, kind="group",
           description="Unnamed sources cited by Cnews Live.",
           aliases=[alias("Sources close to the discussions", S0)]),
    person("analysts-cnews-live", "Analysts (Cnews Live)", named=False, kind="group",
           description="Unnamed analysts cited by Cnews Live.",
           aliases=[alias("analysts", (S0, "Despite progress"))]),
    person("experts-unattributed-report", "Experts (unattributed report)", named=False, kind="group",
           description="Unnamed experts cited by the article with no named outlet.",
           aliases=[alias("Experts", S2)]),
    person("analysts-unattributed-report", "Analysts (unattributed report)", named=False, kind="group",
           description="Unnamed analysts cited by the article with no named outlet.",
           aliases=[alias("Analysts", S2)]),
    person("reports-unattributed-report", "Reports (unattributed report)", named=False, kind="group",
           description="Unspecified reports cited by the article with no named outlet.",
           aliases=[alias("Reports", S2)]),
    person("media-reports-caliber-az", "Media reports (Caliber.Az)", named=False, kind="group",
           description="Unspecified media reports cited by Caliber.Az.",
           aliases=[alias("media reports", S3)]),
    person("morgan-stanley-chief-economist-for-china", "Morgan Stanley's chief economist for China",
           named=False, description="An unnamed economist, identified only by role.",
           aliases=[alias("Morgan Stanley’s chief economist for China", S2)],
           affiliations=[affil("chief economist for China", "Morgan Stanley’s chief economist for China", S2,
                               organization="Morgan Stanley")]),
    person("spokesperson-china-unattributed-report", "A spokesperson (China)", named=False,
           description="An unnamed spokesperson; the context ties the statement to China, the body is not named.",
           aliases=[alias("a spokesperson", S2)],
           affiliations=[affil("spokesperson", "signs from China hinting at a willingness to cooperate, as a "
                               "spokesperson", S2, party=CN)]),
    person("white-house-advisers", "White House advisers", named=False, kind="group",
           description="Unnamed advisers at the White House.",
           aliases=[alias("White House advisers", S3)],
           affiliations=[affil("White House advisers", "White House advisers", S3, party=US)]),
    person("us-government", "US government", named=False, kind="group",
           description="The US government speaking as a country ('The US sent a letter to partners').",
           aliases=[alias("The US", (S3, "to speed up negotiations."))],
           affiliations=[affil("government", "The US sent a letter to partners", S3, party=US)]),
    person("chinese-government", "Chinese government", named=False, kind="group",
           description="The Chinese government speaking as a country ('Beijing').",
           aliases=[alias("Beijing", (S2, "sharp reactions from"))],
           affiliations=[affil("government", "sharp reactions from Beijing", S2, party=CN)]),
]

# ---------------------------------------------------------------- negotiations
LONDON, GENEVA = "london-2025", "geneva-2025"
DAY_TWO = ev(S0, "on June 10, marking the second day")
GENEVA_MONTH = {
    "date": "2025-05", "precision": "month",
    "note": "Caliber.Az says the truce was reached 'in mid-May in Geneva' and EconoTimes calls it 'a May "
            "agreement'; ASEAN Now, dated 2025-06-11, says the Geneva round was 'last month', which fixes "
            "the year. No seed gives a day.",
    "evidence": [ev(S3, "mid-May in Geneva"), ev(S4, "a May agreement"), ev(S1, "held in Geneva last month"),
                 ev(S1, "2025-06-11")],
}


def where(exact: str, *srcs: str | tuple[str, str]) -> dict[str, Any]:
    return {"value": exact, "evidence": spans(exact, *srcs)}


negotiations = [
    rec(GENEVA, name="Geneva trade talks (May 2025)", parties=[US, CN],
        location=where("Geneva", S0, S1, S2, S3, S4), venue=None, host=None,
        start_on=GENEVA_MONTH, end_on=GENEVA_MONTH, predecessor=None,
        status=[{"status": "concluded",
                 "evidence": [ev(S0, "the 90-day truce brokered in Geneva"),
                              ev(S3, "trade truce reached in mid-May in Geneva")]}],
        outcome=[
            att("A 90-day truce", ev(S0, "the 90-day truce brokered in Geneva")),
            att("New US tariffs on Chinese goods cut from 145 percent to 30 percent; China's retaliatory "
                "tariffs cut from 125 percent to 10 percent",
                ev(S1, "cutting new US tariffs on Chinese goods from 145 percent to 30 percent, while "
                       "Beijing’s retaliatory tariffs dropped from 125 percent to 10 percent")),
            att("Both countries temporarily reduced tariffs",
                ev(S4, "a May agreement where both countries temporarily reduced tariffs")),
        ],
        notes={"venue": "No seed names a venue in Geneva.", "host": "No seed names a host in Geneva.",
               "start_on": "Month only; see the date's note.", "end_on": "Month only; see the date's note."}),
    rec(LONDON, name="London trade talks (June 2025)", parties=[US, CN],
        location=where("London", S0, S1, S2, S3, S4),
        venue=where("Lancaster House", S1),
        host=att("UK Foreign Office", ev(S1, "under the auspices of the UK Foreign Office")),
        start_on={"date": "2025-06-09", "precision": "day",
                  "note": "Cnews Live says the talks resumed on June 10, 'marking the second day', so the first "
                          "day was June 9; the year comes from ASEAN Now's date 2025-06-11.",
                  "evidence": [DAY_TWO, ev(S1, "2025-06-11")]},
        end_on={"date": "2025-06-10", "precision": "day",
                "note": "EconoTimes reports a framework 'following two days of high-level negotiations' and "
                        "Caliber.Az that the talks concluded; day two was June 10 (Cnews Live). Cnews Live, "
                        "written on day two, said the talks might extend into a third day: see discrepancy "
                        "london-talks-concluded.",
                "evidence": [ev(S4, "following two days of high-level negotiations in London"), DAY_TWO,
                             ev(S3, "concluded trade talks in London")]},
        predecessor=GENEVA,
        predecessor_evidence=[ev(S0, "follow the 90-day truce brokered in Geneva"),
                              ev(S1, "followed a previous round of talks held in Geneva last month")],
        status=[
            {"status": "in-progress", "evidence": [ev(S0, "marking the second day"),
                                                   ev(S1, "extended into a second day"),
                                                   ev(S2, "are underway in London")]},
            {"status": "concluded", "evidence": [ev(S3, "concluded trade talks in London"),
                                                 ev(S4, "following two days of high-level negotiations")]},
        ],
        outcome=[
            att("A draft framework being finalized (reported on the second day)",
                ev(S0, "a draft framework is being finalized")),
            att("A preliminary framework to advance a new trade agreement, to go to Presidents Trump and Xi "
                "for approval",
                ev(S4, "reached a preliminary framework to advance a new trade agreement"),
                ev(S4, "The next steps hinge on approval from President Donald Trump"),
                ev(S4, "the agreed framework would now be submitted to President Xi for review")),
        ]),
]

# ---------------------------------------------------------------- delegates


def title(text: str, *srcs: str | tuple[str, str]) -> dict[str, Any]:
    return {"title": text, "citations": spans(text, *srcs)}


US_LEAD_NOTE = "No seed says who led the US delegation."


def delegate(neg: str, person_id: str, party: str, lead: bool | None, lead_evidence: list[dict[str, Any]],
             titles: list[dict[str, Any]], seat: list[dict[str, Any]], notes: dict[str, str] | None = None
             ) -> dict[str, Any]:
    return rec(f"{neg}--{person_id}", notes, negotiation=neg, person=person_id, party=party, lead=lead,
               lead_evidence=lead_evidence, titles=titles, seat_evidence=seat)


HEADING = ev(S1, "Heading the Chinese delegation once again was Vice Premier He Lifeng")
delegates = [
    delegate(GENEVA, "he-lifeng", CN, True, [HEADING], [title("Vice Premier", S1)], [HEADING],
             notes={"seat_evidence": "ASEAN Now says he headed the delegation in London 'once again', after "
                    "the Geneva round it names in the sentence before."}),
    delegate(LONDON, "he-lifeng", CN, True,
             [HEADING, ev(S3, "He Lifeng, who led China's delegation")],
             [title("Vice Premier", S0, S1, S2, S3)],
             [ev(S0, "Representing Beijing at the table are Vice Premier He Lifeng"), HEADING,
              ev(S2, "Chinese Vice Premier He Lifeng and his delegation"),
              ev(S3, "He Lifeng, who led China's delegation")]),
    delegate(LONDON, "li-chenggang", CN, False,
             [ev(S1, "supported by Commerce Minister Wang Wentao and China International Trade Representative "
                     "Li Chenggang")],
             [title("Vice Commerce Minister", S0, S4), title("China International Trade Representative", S1)],
             [ev(S0, "Vice Commerce Minister Li Chenggang"),
              ev(S1, "China International Trade Representative Li Chenggang"),
              ev(S4, "On the Chinese side, Vice Commerce Minister Li Changgang")]),
    delegate(LONDON, "wang-wentao", CN, False, [ev(S1, "supported by Commerce Minister Wang Wentao")],
             [title("Commerce Minister", (S1, "supported by "))],
             [ev(S1, "supported by Commerce Minister Wang Wentao")]),
    delegate(LONDON, "scott-bessent", US, None, [], [title("Treasury Secretary", S1, S2, S3)],
             [ev(S1, "The United States was represented by Treasury Secretary Scott Bessent"),
              ev(S2, "Key members of the US team—including Treasury Secretary Scott Bessent")],
             notes={"lead": US_LEAD_NOTE}),
    delegate(LONDON, "howard-lutnick", US, None, [], [title("Commerce Secretary", S0, S1, S2, S3, S4)],
             [ev(S1, "Commerce Secretary Howard Lutnick", after="The United States was represented by"),
              ev(S2, "Commerce Secretary Howard Lutnick")],
             notes={"lead": US_LEAD_NOTE}),
    delegate(LONDON, "jamieson-greer", US, None, [], [title("Trade Representative", S1, S4)],
             [ev(S1, "and Trade Representative Jamieson Greer")],
             notes={"lead": US_LEAD_NOTE}),
]

# ---------------------------------------------------------------- claims and citations
MONDAY = {
    "date": "2025-06-09", "precision": "day",
    "note": "ASEAN Now, dated Wednesday 2025-06-11, says Trump spoke 'on Monday': 9 June 2025.",
    "evidence": [ev(S1, "on Monday"), ev(S1, "2025-06-11")],
}
AFTER_DAY_ONE = {
    "date": "2025-06", "precision": "month",
    "note": "Caliber.Az reports the remark 'after day one' of the London talks; day one was June 9 (Cnews Live "
            "dates day two June 10), but the day of the remark itself is not given.",
    "evidence": [ev(S3, "After day one"), DAY_TWO],
}
UNDATED = "The seed does not say when this was said."
claims: list[dict[str, Any]] = []
citations: list[dict[str, Any]] = []


def cite(source: str, mode: str, exact: str, cue: str | None = None, after: str | None = None,
         cue_after: str | None = None, note: str | None = None) -> dict[str, Any]:
    evidence = ev(source, exact, after)
    cue_ev = ev(source, cue, cue_after) if cue else None
    return {"source": source, "mode": mode, "evidence": evidence, "cue": cue_ev, "note": note}


def claim(id_: str, speaker: str, summary: str, topics: list[str], cites: list[dict[str, Any]],
          negotiation: str | None = LONDON, said_on: dict[str, Any] | None = None,
          setting: dict[str, Any] | None = None, said_note: str = UNDATED) -> None:
    notes = {} if said_on else {"said_on": said_note}
    claims.append(rec(id_, notes, speaker=speaker, negotiation=negotiation, said_on=said_on, setting=setting,
                      topics=topics, summary=summary))
    for c in cites:
        citations.append(rec(f"{id_}--{SHORT[c['source']]}", {"evidence": c["note"]} if c["note"] else None,
                             claim=id_, mode=c["mode"], cue=c["cue"], evidence=c["evidence"]))


WHITE_HOUSE = att("told reporters at the White House", ev(S1, "told reporters at the White House"))
TRUMP_003 = "President Trump said he received"

# ASEAN Now (AP) and Caliber.Az: Trump at the White House, Monday of the London talks.
claim("trump-doing-well-with-china", "donald-trump", "Trump said the US is doing well with China.",
      ["talks-progress"], [cite(S1, "direct", "We are doing well with China.", "told reporters")],
      said_on=MONDAY, setting=WHITE_HOUSE)
claim("trump-china-not-easy", "donald-trump", "Trump said China is not easy.", ["talks-progress"],
      [cite(S1, "direct", "China's not easy,", "told reporters"),
       cite(S3, "partial", "China's not easy.", "added", cue_after=TRUMP_003)],
      said_on=MONDAY, setting=WHITE_HOUSE)
claim("trump-only-good-reports", "donald-trump", "Trump said he was getting only good reports.",
      ["talks-progress"],
      [cite(S1, "direct", "I'm only getting good reports.", "told reporters"),
       cite(S3, "partial", 'he received "good reports"', "said", cue_after="President Trump")],
      said_on=MONDAY, setting=WHITE_HOUSE)
claim("trump-china-breached-geneva", "donald-trump", "Trump accused China of breaching the Geneva agreement.",
      ["trade-truce"], [cite(S1, "paraphrase", "Trump accused China of breaching the Geneva agreement",
                             "accused")],
      negotiation=GENEVA, said_note="'Recently' — the seed gives no date.")
claim("trump-china-restricting-rare-earths", "donald-trump",
      "Trump accused China of restricting exports of rare earth minerals.", ["rare-earths", "trade-truce"],
      [cite(S2, "paraphrase", "Trump has accused China of restricting the export of these minerals", "accused")],
      negotiation=GENEVA, said_note="'Since the Geneva discussions' — the seed gives no date.")
CALL = "Trump's call with Xi Jinping last week, which both leaders framed as positive"
claim("trump-call-with-xi-positive", "donald-trump", "Trump framed his call with Xi Jinping as positive.",
      ["leaders-call"], [cite(S3, "paraphrase", CALL, "framed")],
      said_note="The call was 'last week'; when the leaders framed it is not given.")
claim("xi-call-with-trump-positive", "xi-jinping", "Xi Jinping framed his call with Trump as positive.",
      ["leaders-call"], [cite(S3, "paraphrase", CALL, "framed")],
      said_note="The call was 'last week'; when the leaders framed it is not given.")

# Kevin Hassett and Kathleen Brooks (ASEAN Now, adapted from AP).
claim("hassett-export-controls-eased-after-handshake", "kevin-hassett",
      "Hassett said the US expects export controls to be eased and rare earths released in volume after the "
      "handshake.", ["export-controls", "rare-earths"],
      [cite(S1, "direct", 'Our expectation is that after the handshake," Hassett said, "any export controls from '
                          'the US will be eased, and the rare earths will be released in volume.',
            "said", cue_after='handshake," Hassett',
            note="The quotation is split by the narrator's 'Hassett said'; one span covers both quoted halves "
                 "and the attribution between them.")])
claim("hassett-gesture-smaller-matters", "kevin-hassett",
      "Hassett said such a gesture could open the way to addressing smaller matters in later negotiations.",
      ["talks-progress"],
      [cite(S1, "partial", "such a gesture could pave the way for addressing “smaller matters” in subsequent "
                           "negotiations", "He added")])
claim("brooks-rare-earth-shipments-slowed", "kathleen-brooks",
      "Brooks said rare earth shipments from China to the US have slowed since the April 'Liberation Day' tariffs.",
      ["rare-earths", "tariffs"],
      [cite(S1, "direct", "Rare earth shipments from China to the US have slowed since President Trump’s "
                          "‘Liberation Day’ tariffs in April,", "noted")])
claim("brooks-us-pressing-china-beijing-lobbying", "kathleen-brooks",
      "Brooks said the US is pressing China to resume rare earth exports while Beijing lobbies Washington to "
      "ease other restrictions.", ["rare-earths", "export-controls"],
      [cite(S1, "paraphrase", "the US is now pressing China to resume those critical exports, while Beijing is "
                              "lobbying Washington to ease various other restrictions", "According to Brooks")])
claim("brooks-us-wants-shipments-china-wants-curbs-eased", "kathleen-brooks",
      "Brooks said the US wants rare earth shipments reinstated and China wants the US to rethink curbs on "
      "students, technology access and Chinese tech providers.",
      ["rare-earths", "immigration", "technology-access", "semiconductors"],
      [cite(S1, "direct", "The US wants these shipments to be reinstated, while China wants the US to rethink "
                          "immigration curbs on students, restrictions on access to advanced technology "
                          "including microchips, and to make it easier for Chinese tech providers to access US "
                          "consumers,", "she explained")])

# Cnews Live.
claim("lutnick-talks-progressing-may-extend", "howard-lutnick",
      "Lutnick said the talks were progressing positively and might extend into a third day.",
      ["talks-progress"],
      [cite(S0, "paraphrase", "the talks were progressing positively and may extend into a third day if required",
            "noted")])
claim("sources-draft-framework-being-finalized", "sources-close-to-the-discussions",
      "Sources close to the discussions said a draft framework was being finalized.", ["framework"],
      [cite(S0, "paraphrase", "a draft framework is being finalized", "revealed")])
claim("analysts-framework-falls-short", "analysts-cnews-live",
      "Analysts warned that the framework falls short of resolving broader tensions.", ["framework"],
      [cite(S0, "paraphrase", "the framework falls short of resolving broader tensions", "warn")])

# The article with no named outlet.
claim("economist-rare-earths-bargaining-chip", "morgan-stanley-chief-economist-for-china",
      "Morgan Stanley's chief economist for China said US negotiations will hinge on China's rare earth supply, "
      "a vital bargaining chip.", ["rare-earths"],
      [cite(S2, "paraphrase", "America’s trade negotiations will hinge on China’s rare earth supply, describing it "
                              "as a vital bargaining chip", "indicated")])
claim("experts-china-retains-rare-earth-control", "experts-unattributed-report",
      "Experts believe China will likely keep its control over rare earth minerals.", ["rare-earths"],
      [cite(S2, "paraphrase", "China will likely retain its control over these crucial minerals", "believe")])
claim("beijing-us-restrictions-breach-agreements", "chinese-government",
      "Beijing regards the recent US actions (accusations and new chip restrictions) as breaches of earlier agreements.",
      ["trade-truce", "semiconductors"],
      [cite(S2, "paraphrase", "Beijing, which perceives them as breaches of earlier agreements", "perceives")],
      negotiation=GENEVA)
claim("reports-us-considering-easing-tech-restrictions", "reports-unattributed-report",
      "Reports suggest the US team is considering easing some technology export restrictions while keeping "
      "safeguards on critical technologies.", ["export-controls", "technology-access"],
      [cite(S2, "paraphrase", "the US negotiating team is considering easing certain export restrictions on "
                              "technology, but it is likely to maintain safeguards on critical technologies that "
                              "underpin its competitive edge against China", "suggest")])
claim("spokesperson-approved-export-licences", "spokesperson-china-unattributed-report",
      "A spokesperson said China had approved some compliant export licences.", ["rare-earths", "export-controls"],
      [cite(S2, "paraphrase", "it had approved some compliant export licences", "stated")])
claim("analysts-china-may-keep-restricting-rare-earths", "analysts-unattributed-report",
      "Analysts caution that China may keep restricting access to its rare earths even after diplomatic gestures.",
      ["rare-earths"],
      [cite(S2, "paraphrase", "even if diplomatic gestures are made, China may continue to restrict access to its "
                              "rare earth supplies", "caution")])
claim("reports-chinese-exports-to-us-declined", "reports-unattributed-report",
      "Reports indicate a marked decline in Chinese exports to the US.", ["trade-flows"],
      [cite(S2, "paraphrase", "a marked decline in Chinese exports to the US", "indicate",
            cue_after="Moreover, reports")], negotiation=None)

# Caliber.Az.
claim("bessent-good-meeting", "scott-bessent", "Bessent said it was a good meeting.", ["talks-progress"],
      [cite(S3, "partial", 'it was a "good meeting,"', "said", cue_after="Scott Bessent")],
      said_on=AFTER_DAY_ONE)
claim("lutnick-negotiations-fruitful", "howard-lutnick", "Lutnick called the negotiations fruitful.",
      ["talks-progress"], [cite(S3, "partial", 'the negotiations "fruitful."', "called")], said_on=AFTER_DAY_ONE)
BOTH = "both countries accusing the other of breaching that truce"
claim("us-accuses-china-of-breaching-geneva-truce", "us-government",
      "The US accused China of breaching the Geneva truce.", ["trade-truce"],
      [cite(S3, "paraphrase", BOTH, "accusing")], negotiation=GENEVA)
claim("china-accuses-us-of-breaching-geneva-truce", "chinese-government",
      "China accused the US of breaching the Geneva truce.", ["trade-truce"],
      [cite(S3, "paraphrase", BOTH, "accusing")], negotiation=GENEVA)
claim("media-reports-us-dominates-ethane", "media-reports-caliber-az",
      "Media reports say the US dominates ethane and China buys nearly all of it.", ["trade-flows"],
      [cite(S3, "paraphrase", "the US dominates in ethane, a gas used to make plastics, and China buys nearly all "
                              "of it", "According to media reports")], negotiation=None)
claim("us-letter-friendly-reminder-tariff-pause", "us-government",
      "The US reminded partners by letter that the 90-day pause on reciprocal tariffs expires in early July.",
      ["tariffs"],
      [cite(S3, "partial", 'The US sent a letter to partners as a "friendly reminder" that Trump\'s self-imposed '
                           '90-day pause on sweeping "reciprocal" tariffs is set to expire in early July',
            "sent a letter")], negotiation=None)
claim("white-house-advisers-deals-not-too-distant", "white-house-advisers",
      "White House advisers have promised trade deals in the not-too-distant future.", ["trade-deals"],
      [cite(S3, "partial", 'promised trade deals in the "not-too-distant future,"', "promised")],
      negotiation=None, said_note="'For weeks' — the seed gives no date.")
claim("court-tariff-method-unlawful", "us-court-of-international-trade",
      "The US Court of International Trade deemed the method used to enact Trump's sweeping tariffs unlawful.",
      ["tariffs", "legal"],
      [cite(S3, "partial", 'deeming the method used to enact them "unlawful."', "deeming")], negotiation=None)

# EconoTimes.
claim("lutnick-structure-agreed-for-geneva-deal", "howard-lutnick",
      "Lutnick confirmed the two nations agreed a structure for implementing the Geneva deal.", ["framework"],
      [cite(S4, "paraphrase", "the two nations agreed to a structure for implementing a prior trade deal signed in "
                              "Geneva", "confirmed")])
claim("lutnick-progress-rare-earths-magnets", "howard-lutnick",
      "Lutnick said progress had been made on rare earth minerals and industrial magnets.", ["rare-earths"],
      [cite(S4, "paraphrase", "progress had been made on resolving issues related to rare earth minerals and "
                              "industrial magnets", "added")])
claim("greer-call-shifted-tone", "jamieson-greer",
      "Greer said the recent Trump–Xi call had significantly shifted the tone of the discussions.",
      ["leaders-call", "talks-progress"],
      [cite(S4, "paraphrase", "a recent call between Trump and Chinese President Xi Jinping had significantly "
                              "shifted the tone of the discussions", "noting")])
claim("li-talks-positive", "li-chenggang", "Li described the talks as positive.", ["talks-progress"],
      [cite(S4, "paraphrase", "the talks as positive", "described")])
claim("li-framework-to-xi-for-review", "li-chenggang",
      "Li confirmed the agreed framework would be submitted to President Xi for review.", ["framework"],
      [cite(S4, "paraphrase", "the agreed framework would now be submitted to President Xi for review",
            "confirmed", cue_after="positive and")])

# ---------------------------------------------------------------- discrepancies


def variant(value: str, *evidence: dict[str, Any]) -> dict[str, Any]:
    return {"value": value, "citations": list(evidence)}


discrepancies = [
    rec("li-chenggang-name-spelling", subject="Spelling of the Chinese vice commerce minister's name",
        kind="spelling", negotiation=LONDON, person="li-chenggang",
        variants=[variant("Li Chenggang", *spans("Li Chenggang", S0, S1)),
                  variant("Li Changgang", *spans("Li Changgang", S4))]),
    rec("li-chenggang-title", subject="Li Chenggang's title", kind="title", negotiation=LONDON,
        person="li-chenggang",
        variants=[variant("Vice Commerce Minister", *spans("Vice Commerce Minister", S0, S4)),
                  variant("China International Trade Representative",
                          *spans("China International Trade Representative", S1))]),
    rec("london-talks-concluded", subject="Whether the London talks had concluded", kind="status",
        negotiation=LONDON,
        variants=[variant("Ongoing: in a second day, possibly extending into a third",
                          ev(S0, "marking the second day"), ev(S0, "may extend into a third day if required"),
                          ev(S1, "extended into a second day"),
                          ev(S2, "with discussions set to continue into tomorrow")),
                  variant("Concluded after two days", ev(S3, "The US and China concluded trade talks in London"),
                          ev(S4, "following two days of high-level negotiations in London"))],
        notes={"variants": "The sources were written at different moments of the talks; both reports are "
               "kept as printed."}),
    rec("us-tariff-on-chinese-goods", subject="The level of US tariffs on Chinese goods", kind="figure",
        negotiation=LONDON,
        variants=[variant("About 55%, to remain under the draft framework",
                          ev(S0, "U.S. tariffs will remain at approximately 55%")),
                  variant("30 percent, after the Geneva cut from 145 percent",
                          ev(S1, "cutting new US tariffs on Chinese goods from 145 percent to 30 percent"))],
        notes={"variants": "The variants may measure different things: Cnews Live gives the level expected to "
               "remain under the London draft framework; ASEAN Now (AP) gives the new tariffs set in Geneva. No "
               "seed reconciles the two figures."}),
]

# ---------------------------------------------------------------- write
OUT = {
    "outlets": outlets, "sources": sources, "parties": parties, "people": people,
    "negotiations": negotiations, "delegates": delegates, "claims": claims, "citations": citations,
    "discrepancies": discrepancies,
}
if __name__ == "__main__":
    FIXTURES.mkdir(exist_ok=True)
    for stem, records in OUT.items():
        body = json.dumps(records, ensure_ascii=False, indent=2) + "\n"
        (FIXTURES / f"{stem}.json").write_text(body, encoding="utf-8")
        print(f"{stem}: {len(records)}")
