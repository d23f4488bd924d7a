"""`parley propose SOURCE_ID`: drafts, for a curator to review, the claims and citations a source's
text holds. Rules over the text alone: no model, no network.

- **Quotations** (curly or straight double marks; single marks nested inside them; a quotation
  interrupted by its attribution, `," Hassett said, "`, is one): a quotation that opens its
  sentence (or follows `X said:`) is wholly quoted speech, `direct`, one draft per quoted
  sentence; a quotation with no attribution of its own continues the one before it. A quoted
  fragment inside reported speech makes that citation `partial`.
- **Reported speech**: a speech or attribution verb (CUES: "said", "told reporters", "noted",
  "warned", "confirmed", "described … as", "accused", "according to" …) with its speaker, and
  the clause it introduces (`paraphrase` when it holds no quotation).
- **Speakers**: a person of people.json by any alias, or by a title only they hold; an unnamed
  speaker ("sources close to …", "a spokesperson", "analysts") is the people.json record whose
  alias is evidenced in this source, else proposed as a new group; a new capitalised name in a
  speaker's place is proposed as a new person; he/she/they is the speaker just before.

Each draft is a record in the fixtures' own format; every selector is anchored by
`schema.curate.anchor.anchor_selector` (what `parley anchor` computes), and every verification
says the record is a draft (`draft-proposed`), which `parley validate` refuses until a curator
has read it and says how it was checked. `score` measures drafts against curated citations.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schema.curate.anchor import anchor_selector, occurrences
from schema.load.seeds import read_seeds
from schema.model.dataset import Dataset
from schema.model.values import DRAFT_METHOD
from schema.text.quotes import LEFT_DOUBLE, RIGHT_DOUBLE, quoted_passages
from schema.text.sentences import Sentence, SentenceIndex, split_sentences

DRAFTED_BY = "parley-propose"

# Speech and attribution verbs by what follows them. Not coverage.SPEECH_VERBS: that one finds
# sentences to report; drafting needs to know how each verb introduces what was said.
_CLAUSE = (
    r"said|says|say|tells|told(?: reporters| journalists)?|not(?:ed|es|ing)|warn(?:ed|s|ing)?"
    r"|add(?:ed|s|ing)|stat(?:ed|es|ing)|confirm(?:ed|s|ing)?|reveal(?:ed|s|ing)|believ(?:e|es|ed)"
    r"|indicat(?:ed|es|e)|suggest(?:s|ed)?|caution(?:s|ed)?|explain(?:ed|s|ing)|insist(?:ed|s)"
    r"|argu(?:ed|es)|claim(?:ed|s)|acknowledg(?:ed|es)|remark(?:ed|s)|promis(?:ed|es)|stress(?:ed|es)"
    r"|predict(?:ed|s)"
)
_AS = (
    r"describ(?:ed|es|ing)|framed|frames|deem(?:ed|s|ing)|perceiv(?:es|ed)|call(?:ed|s|ing)|characteri[sz]ed"
)
_ACCUSE = r"accus(?:ed|es|ing)"
CUES = re.compile(
    rf"(?<![\w\u2019'])(?:(?P<according>[Aa]ccording to)|(?P<accuse>{_ACCUSE})|(?P<as>{_AS})"
    rf"|(?P<clause>{_CLAUSE}))(?![\w\u2019'])"
)
"""Speech and attribution verbs: a clause follows (`clause`), `X as Y` or a quoted word (`as`), an
accusation (`accuse`, cited with its subject), or `according to` a speaker."""

_GROUP_NOUNS = (
    r"analysts|experts|observers|economists|diplomats|officials|advisers|advisors|reports|sources"
    r"|critics|insiders"
)
GROUPS = re.compile(
    r"(?<![\w\u2019'])(?:"
    r"(?:[Ss]ources|[Oo]fficials|[Pp]eople) (?:close to|familiar with) (?:the )?[a-z]+"
    rf"(?: (?!(?:{_CLAUSE}|{_AS}|{_ACCUSE})\b)[a-z]+)?"
    r"|(?:[Aa]n? |[Tt]he )?(?:[A-Z][\w.]* )*(?:[Ss]pokes(?:person|man|woman))"
    r"(?: for (?:the )?[A-Z][\w.]*(?: [A-Z][\w.]*)*)?"
    rf"|(?:[A-Z][\w.]* )*(?:[Mm]edia |[Nn]ews )?(?:{_GROUP_NOUNS}|{_GROUP_NOUNS.title()})"
    r")(?![\w])"
)
"""Phrases naming an unnamed speaker."""

_NAME_RUN = re.compile(
    r"(?<![\w.\u2019'])(?:[A-Z][a-z]+(?:-[A-Z][a-z]+)? )+[A-Z][a-z]+(?:-[A-Z][a-z]+)?(?![\w\u2019'])"
)
_NOT_NAMES = frozenset(
    re.findall(
        r"\w+",
        "The A An In On At But And While After Before Since Despite According Under Meanwhile Moreover"
        " However This That These Those Its Their His Her Our We They He She It If As For From Of To",
    )
)
"""Capitalised words that start a sentence, not a name."""
PRONOUNS = re.compile(r"(?<![\w\u2019'])(?:[Hh]e|[Ss]he|[Tt]hey)(?![\w\u2019'])")
_POSSESSIVE = ("\u2019s", "'s", "\u2019 ", "' ")
_TRAILING = " \t,.;:!?"
_CLOSING = '"\u201d\u2019'


class ProposeError(Exception):
    """The source cannot be read for drafting; the message names the file, record and field."""


@dataclass(frozen=True)
class Person:
    """What drafting needs of a people.json record."""

    id: str
    name: str
    named: bool
    aliases: tuple[str, ...]
    roles: tuple[str, ...]
    sources: frozenset[str]
    """Sources that evidence one of its aliases (an unnamed speaker is matched only there)."""


@dataclass(frozen=True)
class Mention:
    """Words in the text that may name a speaker."""

    start: int
    end: int
    kind: str
    """known (an alias), title (a role only one person holds), group, new (a capitalised name), pronoun."""
    person: str | None
    words: str


@dataclass
class Draft:
    """One drafted citation: its span, mode, cue and speaker (a person id)."""

    speaker: str
    mode: str
    start: int
    end: int
    cue: tuple[int, int] | None


@dataclass
class Proposal:
    """The drafts for one source, in text order, and the records they become."""

    source_id: str
    seed: str
    text: str
    drafts: list[Draft] = field(default_factory=list)
    new_people: dict[str, Mention] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)


_PRIORITY = {"known": 0, "title": 1, "new": 2, "group": 3, "pronoun": 4}


def _alias_pattern(alias: str) -> str:
    words = [re.sub(r"\\?['\u2019]", "['\u2019]", re.escape(word)) for word in alias.split()]
    return r"(?<![\w])" + r"\s+".join(words) + r"(?![\w])"


def _titles(people: Iterable[Person]) -> dict[str, str]:
    """Role -> person id, for roles exactly one named person holds."""
    holders: dict[str, set[str]] = {}
    for person in people:
        if person.named:
            for role in person.roles:
                holders.setdefault(role, set()).add(person.id)
    return {role: next(iter(ids)) for role, ids in holders.items() if len(ids) == 1 and role[:1].isupper()}


def mentions(text: str, source_id: str, people: Sequence[Person]) -> list[Mention]:
    """Every non-overlapping mention of a possible speaker in the text, in text order."""
    found: list[Mention] = []
    for person in people:
        if not person.named and source_id not in person.sources:
            continue  # "analysts" of another article are other analysts
        flags = 0 if person.named else re.IGNORECASE
        for alias in {*person.aliases, *([person.name] if person.named else [])}:
            for match in re.finditer(_alias_pattern(alias), text, flags):
                found.append(Mention(match.start(), match.end(), "known", person.id, match.group()))
    for role, person_id in _titles(people).items():
        for match in re.finditer(_alias_pattern(role) + r"(?!\s+[A-Z])", text):
            found.append(Mention(match.start(), match.end(), "title", person_id, match.group()))
    for match in GROUPS.finditer(text):
        found.append(Mention(match.start(), match.end(), "group", None, match.group()))
    for match in _NAME_RUN.finditer(text):
        words = match.group().split()
        while words and words[0] in _NOT_NAMES:
            words = words[1:]
        if len(words) >= 2:
            start = match.end() - len(" ".join(words[-2:]))
            found.append(Mention(start, match.end(), "new", None, text[start : match.end()]))
    for match in PRONOUNS.finditer(text):
        found.append(Mention(match.start(), match.end(), "pronoun", None, match.group()))
    kept: list[Mention] = []
    for mention in sorted(found, key=lambda m: (_PRIORITY[m.kind], -(m.end - m.start), m.start)):
        if all(mention.end <= other.start or other.end <= mention.start for other in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)


def _possessive(text: str, mention: Mention) -> bool:
    return text.startswith(_POSSESSIVE, mention.end)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without surrounding spaces, and without trailing punctuation unless a quotation
    closes it (`the negotiations "fruitful."` keeps its marks)."""
    while start < end and text[start] in " \t,":
        start += 1
    while end > start and text[end - 1] in " \t":
        end -= 1
    if end > start and text[end - 1] not in _CLOSING:
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
    return start, end


# ---------------------------------------------------------------- quotations


@dataclass(frozen=True)
class _Utterance:
    start: int
    end: int
    """The quoted words (an interrupting attribution included), without the outer marks."""
    attribution: tuple[int, int]
    """Where to look for its cue and speaker (empty: none, it continues the one before)."""


def _double_quotes(text: str) -> list[tuple[int, int]]:
    spans = [(p.start, p.end) for p in quoted_passages(text) if p.mark in (LEFT_DOUBLE + RIGHT_DOUBLE, '""')]
    outer: list[tuple[int, int]] = []
    for start, end in spans:
        if not outer or start >= outer[-1][1]:
            outer.append((start, end))
    return outer


def _sentence_start(text: str, position: int, sentences: Sequence[Sentence]) -> int:
    starts = [s.start for s in sentences if s.start <= position]
    line_start = text.rfind("\n", 0, position) + 1
    return max([line_start, *starts])


_INTERRUPTION = re.compile(r"^\s*[^.!?\"\u201c\u201d\n]{1,60}?,\s*$")


def _utterances(text: str, sentences: Sequence[Sentence]) -> tuple[list[_Utterance], list[tuple[int, int]]]:
    """(wholly quoted utterances, quoted fragments inside sentences)."""
    quotes = _double_quotes(text)
    utterances: list[_Utterance] = []
    fragments: list[tuple[int, int]] = []
    index = 0
    while index < len(quotes):
        start, end = quotes[index]
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        nxt = quotes[index + 1] if index + 1 < len(quotes) else None
        tail_end = nxt[0] - 1 if nxt and nxt[0] - 1 < line_end else line_end
        tail = text[end + 1 : tail_end]
        interrupted = nxt and tail_end == nxt[0] - 1 and text[end - 1] == "," and _INTERRUPTION.match(tail)
        if nxt and interrupted and CUES.search(tail):  # `," Hassett said, "`: one utterance
            utterances.append(_Utterance(start, nxt[1], (end + 1, nxt[0] - 1)))
            index += 2
            continue
        head = text[_sentence_start(text, start - 1, sentences) : start - 1]
        said = re.search(r"[:,]\s*$", head)
        if not head.strip() or (said and CUES.search(head)):
            stop = re.search(r"[.!?](?:\s|$)", text[end + 1 : tail_end])
            after = (end + 1, end + 1 + stop.start() if stop else tail_end)
            attribution = (
                after if CUES.search(text[after[0] : after[1]]) else (start - 1 - len(head), start - 1)
            )
            if not CUES.search(text[attribution[0] : attribution[1]]):
                attribution = (start, start)
            utterances.append(_Utterance(start, end, attribution))
        else:
            fragments.append((start, end))
        index += 1
    return utterances, fragments


# ---------------------------------------------------------------- the drafting pass


@dataclass
class _State:
    text: str
    mentions: list[Mention]
    proposal: Proposal
    last_speaker: str | None = None


def _speaker_of(state: _State, mention: Mention) -> str | None:
    """The person id a mention stands for: known, the speaker just before (a pronoun), or a
    proposed new person or group."""
    if mention.person is not None:
        return mention.person
    if mention.kind == "pronoun":
        return state.last_speaker
    words = re.sub(r"^(?:[Aa]n?|[Tt]he) ", "", mention.words)
    slug = "-".join(re.findall(r"[a-z0-9]+", words.lower())[:6])
    person_id = slug if mention.kind == "new" else f"{slug}-{state.proposal.source_id}"
    state.proposal.new_people.setdefault(person_id, mention)
    return person_id


def _in(span: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in spans)


def _cue_span(state: _State, cue: re.Match[str], subject: Mention | None) -> tuple[int, int]:
    """The cue as cited: the verb, with its pronoun subject ("she explained") when it has one."""
    if subject is not None and subject.kind == "pronoun" and subject.end + 1 == cue.start():
        return subject.start, cue.end()
    return cue.start(), cue.end()


def _adjacent_subject(state: _State, sentence: Sentence, cue_start: int) -> Mention | None:
    """The mention right before a cue (at most three lowercase words between, no punctuation)."""
    for mention in reversed(state.mentions):
        if mention.end > cue_start or mention.start < sentence.start:
            continue
        gap = state.text[mention.end : cue_start]
        if re.fullmatch(r"\s+(?:[a-z]+\s+){0,3}", gap) or re.fullmatch(r",\s+which\s+", gap):
            return None if _possessive(state.text, mention) else mention
        return None
    return None


def _nearest_subject(state: _State, sentence: Sentence, cue_start: int) -> Mention | None:
    """The nearest mention before a cue in its sentence that is not a possessive ("Hassett's remarks")."""
    for mention in reversed(state.mentions):
        if (
            sentence.start <= mention.start
            and mention.end <= cue_start
            and not _possessive(state.text, mention)
        ):
            if mention.kind == "new" and _adjacent_subject(state, sentence, cue_start) is not mention:
                continue  # a capitalised name counts as a speaker only right before the verb
            return mention
    return None


def _phrase_start(text: str, mention: Mention) -> int:
    """Where the phrase naming a subject starts: titles and capitalised words before the name."""
    start = mention.start
    while match := re.search(r"(?:[A-Z][\w.]*|of|for) $", text[:start]):
        start = match.start()
    return start


def _content_end(state: _State, sentence: Sentence, start: int, later: Sequence[re.Match[str]]) -> int:
    """Where a cue's clause ends: before the next cue's subject or the cue itself, a relative
    clause (", which"), a trailing participle that is not speech (", highlighting"), or
    " and has …"; else the sentence's end."""
    text = state.text
    end = sentence.end
    for cue in later:
        if re.match(r",\s+$", text[cue.start() - 2 : cue.start()]) and cue.group().endswith("ing"):
            continue  # ", describing it as": the same speaker goes on
        subject = _adjacent_subject(state, sentence, cue.start())
        cut = _phrase_start(text, subject) if subject and subject.start >= start else cue.start()
        cut = start + len(re.sub(r"(?:,?\s*\b(?:and|but|while|whereas|as)\b)?[\s,]*$", "", text[start:cut]))
        end = min(end, cut)
        break
    region = text[start:end]
    for pattern in (r",\s+which\s", r",\s+(\w+ing)\b", r"\s+and\s+(?:has|have|had)\s"):
        for match in re.finditer(pattern, region):
            if match.lastindex and CUES.fullmatch(match.group(1)):
                continue
            end = min(end, start + match.start())
            break
    return end


def _draft_clause(
    state: _State,
    sentence: Sentence,
    cue: re.Match[str],
    later: Sequence[re.Match[str]],
    previous: Draft | None,
    fragments: Sequence[tuple[int, int]],
) -> Draft | None:
    """A paraphrase or partial draft for one cue of a sentence, or None (no speaker, no clause)."""
    text = state.text
    kind = cue.lastgroup
    if kind == "according":
        subject = next((m for m in state.mentions if m.start >= cue.end() and m.start - cue.end() <= 1), None)
        if subject is None:
            return None
        cue_span = (cue.start(), subject.end)
        if text.startswith(",", subject.end):
            start, end = subject.end + 1, sentence.end  # According to X, CONTENT.
        else:
            start, end = sentence.start, cue.start()  # CONTENT, according to X.
    else:
        subject = _adjacent_subject(state, sentence, cue.start())
        if subject is None and previous is not None:
            speaker: str | None = previous.speaker  # "described … and confirmed that"
        else:
            subject = subject or _nearest_subject(state, sentence, cue.start())
            speaker = _speaker_of(state, subject) if subject else None
        if speaker is None:
            return None
        cue_span = _cue_span(state, cue, subject)
        start = cue.end()
        skip = re.match(r"\s+that\b,?|\s*,", text[start:])
        start += skip.end() if skip else 0
        end = _content_end(state, sentence, start, later)
        if subject is not None and (
            kind == "accuse" or re.fullmatch(r",\s+which\s+", text[subject.end : cue.start()])
        ):
            start = subject.start  # "Trump accused China of …", "Beijing, which perceives them as …"
        start, end = _trim(text, start, end)
        quoted = [f for f in fragments if start <= f[0] - 1 and f[1] + 1 <= end]
        if kind == "as" and not quoted and not re.search(r"\bas\b", text[start:end]):
            return None  # "called for", "Trump's call": not a characterisation
        if end - start < 3:
            return None
        if quoted and quoted[0][0] - 1 == start and quoted[-1][1] + 1 == end and len(quoted) == 1:
            start, end = quoted[0]  # added that "China's not easy.": the quoted words
        return Draft(speaker, "partial" if quoted else "paraphrase", start, end, cue_span)
    speaker = _speaker_of(state, subject)
    if speaker is None:
        return None
    start, end = _trim(text, start, end)
    if end - start < 3:
        return None
    quoted = [f for f in fragments if start <= f[0] - 1 and f[1] + 1 <= end]
    return Draft(speaker, "partial" if quoted else "paraphrase", start, end, cue_span)


def _draft_quotes(state: _State, utterances: Sequence[_Utterance]) -> list[Draft]:
    text = state.text
    drafts: list[Draft] = []
    last: Draft | None = None
    for utterance in utterances:
        lo, hi = utterance.attribution
        cue = CUES.search(text, lo, hi) if hi > lo else None
        if cue is None:
            if last is None or text.count("\n", last.end, utterance.start) > 2:
                continue  # a quotation nobody is said to have spoken
            speaker, cue_span = last.speaker, last.cue
        else:
            inside = [m for m in state.mentions if lo <= m.start and m.end <= hi]
            subject = min(inside, key=lambda m: (_PRIORITY[m.kind], m.start), default=None)
            found = _speaker_of(state, subject) if subject else None
            if found is None:
                continue
            speaker, cue_span = found, _cue_span(state, cue, subject)
        for piece in split_sentences(text[utterance.start : utterance.end]):
            start = utterance.start + piece.start
            last = Draft(speaker, "direct", start, start + len(piece.text), cue_span)
            drafts.append(last)
            state.last_speaker = speaker
    return drafts


def draft_source(text: str, source_id: str, seed: str, people: Sequence[Person]) -> Proposal:
    """Drafts the citations of one seed text; returns them in text order with the people they need."""
    proposal = Proposal(source_id, seed, text, people={p.id: p for p in people})
    state = _State(text, mentions(text, source_id, people), proposal)
    sentences = split_sentences(text)
    utterances, fragments = _utterances(text, sentences)
    quoted = _draft_quotes(state, utterances)
    taken = [(u.start, u.end) for u in utterances] + [u.attribution for u in utterances]
    drafts_by_position = {d.start: d for d in quoted}
    state.last_speaker = None
    for sentence in sentences:
        for direct in quoted:
            if sentence.start - 1 <= direct.start < sentence.end:
                state.last_speaker = direct.speaker
        cues = [c for c in CUES.finditer(text, sentence.start, sentence.end) if not _in(c.span(), taken)]
        cues = [c for c in cues if not _in(c.span(), [(f[0], f[1]) for f in fragments])]
        previous: Draft | None = None
        for index, cue in enumerate(cues):
            if previous is not None and previous.start <= cue.start() < previous.end:
                continue  # a verb inside what was said
            draft = _draft_clause(state, sentence, cue, cues[index + 1 :], previous, fragments)
            if draft is not None and draft.start not in drafts_by_position:
                drafts_by_position[draft.start] = draft
                previous = draft
                state.last_speaker = draft.speaker
    proposal.drafts = sorted(drafts_by_position.values(), key=lambda d: (d.start, d.end))
    return proposal


# ---------------------------------------------------------------- reading the inputs


def read_records(path: Path) -> list[dict[str, Any]]:
    """The objects of a fixture file (a JSON array); ProposeError naming the file when it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ProposeError(f"{path}: file is missing") from error
    except (OSError, UnicodeDecodeError) as error:
        raise ProposeError(f"{path}: cannot read: {error}") from error
    except ValueError as error:
        raise ProposeError(f"{path}: not valid JSON: {error}") from error
    if not isinstance(data, list):
        raise ProposeError(f"{path}: expected a JSON array of records, got {type(data).__name__}")
    return [record for record in data if isinstance(record, dict)]


def read_people(fixtures_dir: Path) -> list[Person]:
    """The people of people.json as drafting needs them (records without an id are skipped)."""
    people = []
    for record in read_records(fixtures_dir / "people.json"):
        aliases = [a for a in record.get("aliases") or [] if isinstance(a, dict)]
        roles = [a.get("role") for a in record.get("affiliations") or [] if isinstance(a, dict)]
        sources = {e.get("source") for a in aliases for e in a.get("evidence") or [] if isinstance(e, dict)}
        if isinstance(record.get("id"), str) and isinstance(record.get("name"), str):
            people.append(
                Person(
                    record["id"],
                    record["name"],
                    record.get("named") is True,
                    tuple(a["name"] for a in aliases if isinstance(a.get("name"), str) and a["name"]),
                    tuple(r for r in roles if isinstance(r, str) and r),
                    frozenset(s for s in sources if isinstance(s, str)),
                )
            )
    return people


def read_source(fixtures_dir: Path, seeds_dir: Path, source_id: str) -> tuple[str, str]:
    """(seed file name, text) of a source; ProposeError naming what is wrong."""
    where = fixtures_dir / "sources.json"
    sources = {r.get("id"): r for r in read_records(where)}
    if source_id not in sources:
        known = ", ".join(sorted(str(s) for s in sources))
        raise ProposeError(f"{where}: no source record {source_id!r} (known: {known})")
    seed = sources[source_id].get("seed")
    if not isinstance(seed, str) or not seed:
        raise ProposeError(f"{where}: record {source_id!r} field 'seed': not a seed file name")
    if not (seeds_dir / seed).is_file():
        raise ProposeError(
            f"{seeds_dir / seed}: seed file is missing (record {source_id!r} field 'seed' in {where})"
        )
    seeds = read_seeds(seeds_dir)
    if seed not in seeds.texts:
        why = "; ".join(str(p) for p in seeds.problems if seed in str(p)) or "not listed in the manifest"
        raise ProposeError(f"{seeds_dir / seed}: cannot use it (record {source_id!r} field 'seed'): {why}")
    return seed, seeds.texts[seed]


def propose(fixtures_dir: Path, seeds_dir: Path, source_id: str) -> Proposal:
    """Reads a source's seed and the people, and drafts the source's citations."""
    seed, text = read_source(fixtures_dir, seeds_dir, source_id)
    return draft_source(text, source_id, seed, read_people(fixtures_dir))


# ---------------------------------------------------------------- the records


def _selector(proposal: Proposal, start: int, end: int) -> dict[str, Any]:
    exact = proposal.text[start:end]
    occurrence = occurrences(proposal.text, exact).index(start) + 1
    selector, problem = anchor_selector(
        {"source": proposal.source_id, "exact": exact, "occurrence": occurrence}, proposal.text
    )
    assert selector is not None, problem  # the words were taken from this very text
    return selector


def _verification(today: dt.date) -> dict[str, Any]:
    return {"by": DRAFTED_BY, "on": today.isoformat(), "methods": [DRAFT_METHOD]}


def records(
    proposal: Proposal, taken_ids: Iterable[str] = (), today: dt.date | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The drafts as fixture records: {"claims", "citations", "people"} (people: the proposed new
    ones). Claim ids avoid `taken_ids`."""
    today = today or dt.date.today()
    used = set(taken_ids)
    claims: list[dict[str, Any]] = []
    citations: list[dict[str, Any]] = []
    for draft in proposal.drafts:
        exact = proposal.text[draft.start : draft.end]
        words = "-".join(re.findall(r"[a-z0-9]+", exact.lower())[:5]) or "words"
        base = f"{draft.speaker}-{words}"[:60].strip("-")
        claim_id, number = base, 1
        while claim_id in used:
            number += 1
            claim_id = f"{base}-{number}"
        used.add(claim_id)
        claims.append(
            {
                "id": claim_id,
                "speaker": draft.speaker,
                "negotiation": None,
                "said_on": None,
                "setting": None,
                "topics": [],
                "summary": f"Draft: {' '.join(exact.split())}",
                "notes": [{"field": "said_on", "note": "Draft: not yet read for when this was said."}],
                "verification": _verification(today),
            }
        )
        citations.append(
            {
                "id": f"{claim_id}--{proposal.source_id}",
                "claim": claim_id,
                "mode": draft.mode,
                "cue": None if draft.cue is None else _selector(proposal, *draft.cue),
                "evidence": _selector(proposal, draft.start, draft.end),
                "notes": [],
                "verification": _verification(today),
            }
        )
    people = []
    for person_id, mention in proposal.new_people.items():
        named = mention.kind == "new"
        people.append(
            {
                "id": person_id,
                "name": mention.words,
                "named": named,
                "kind": "individual" if named or re.match(r"(?:[Aa]n?|[Tt]he) ", mention.words) else "group",
                "description": None,
                "aliases": [
                    {"name": mention.words, "evidence": [_selector(proposal, mention.start, mention.end)]}
                ],
                "affiliations": [],
                "notes": [],
                "verification": _verification(today),
            }
        )
    return {"claims": claims, "citations": citations, "people": people}


def _clip(text: str, limit: int = 70) -> str:
    flat = " ".join(text.split())
    return json.dumps(flat if len(flat) <= limit else flat[: limit - 1] + "…", ensure_ascii=False)


def render_review(proposal: Proposal, cited: Sequence[tuple[int, int, str]] = ()) -> str:
    """The drafts as a list to read against the text; `cited` (start, end, citation id) marks a
    draft that overlaps an existing citation of this source."""
    lines = [
        f"{len(proposal.drafts)} draft citation{'s' if len(proposal.drafts) != 1 else ''} for source "
        f"{proposal.source_id!r} ({proposal.seed}), in text order:"
    ]
    for draft in proposal.drafts:
        person = proposal.people.get(draft.speaker)
        who = person.name if person else f"{proposal.new_people[draft.speaker].words} (new)"
        cue = _clip(proposal.text[draft.cue[0] : draft.cue[1]]) if draft.cue else "none"
        lines.append(f"  {draft.start:>5}  {draft.mode:<10} {who} [{draft.speaker}]  cue {cue}")
        lines.append(f"         {_clip(proposal.text[draft.start : draft.end], 100)}")
        for start, end, citation_id in cited:
            if start < draft.end and draft.start < end:
                lines.append(f"         already cited: {citation_id}")
    for person_id, mention in proposal.new_people.items():
        lines.append(
            f"  new {'person' if mention.kind == 'new' else 'unnamed speaker'} {person_id}: "
            f"{_clip(mention.words)}"
        )
    lines.append(
        "Drafts only: nothing was written. `--json` prints them as records; read each against the"
        " text, correct it, and set its verification to what you checked before adding it."
    )
    return "\n".join(lines)


# ---------------------------------------------------------------- measuring drafts


@dataclass(frozen=True)
class Curated:
    """A curated citation as the score reads it."""

    id: str
    start: int
    end: int
    speaker: str
    mode: str


@dataclass
class Score:
    """How one source's drafts compare with its curated citations (each draft pairs with at most one)."""

    source_id: str
    curated: int = 0
    paired: int = 0
    """Curated citations a draft overlaps."""
    spans_exact: int = 0
    spans: int = 0
    """Paired drafts whose span equals the curated one or contains it within the same sentences."""
    speakers: int = 0
    modes: int = 0
    all_right: int = 0
    """Span, speaker and mode all right."""
    drafts: int = 0
    false_drafts: int = 0
    """Drafts paired with no curated citation."""
    missed: list[str] = field(default_factory=list)


def score(proposal: Proposal, curated: Sequence[Curated]) -> Score:
    """Pairs drafts with curated citations one to one (best pairs first: right speaker, exact span,
    containing span, right mode) among those that overlap, and counts what each pair gets right.

    A span is right when the draft's equals the curated one, or contains it and lies within the
    sentences the curated span lies in: a whole sentence drafted around a clause counts, a draft
    spanning two sentences does not."""
    index = SentenceIndex(proposal.text)
    result = Score(proposal.source_id, curated=len(curated), drafts=len(proposal.drafts))

    def within(draft: Draft, citation: Curated) -> bool:
        sentences = index.overlapping(citation.start, citation.end)
        lo, hi = index.sentences[sentences[0]].start, index.sentences[sentences[-1]].end
        return (
            draft.start <= citation.start
            and citation.end <= draft.end
            and lo <= draft.start
            and draft.end <= hi
        )

    def quality(pair: tuple[int, int]) -> tuple[bool, bool, bool, bool]:
        draft, citation = proposal.drafts[pair[0]], curated[pair[1]]
        exact = (draft.start, draft.end) == (citation.start, citation.end)
        return draft.speaker == citation.speaker, exact, within(draft, citation), draft.mode == citation.mode

    pairs = [
        (d, c)
        for d, draft in enumerate(proposal.drafts)
        for c, citation in enumerate(curated)
        if draft.start < citation.end and citation.start < draft.end
    ]
    used_drafts: set[int] = set()
    used_curated: set[int] = set()
    for pair in sorted(pairs, key=quality, reverse=True):
        if pair[0] in used_drafts or pair[1] in used_curated:
            continue
        used_drafts.add(pair[0])
        used_curated.add(pair[1])
        speaker, exact, span, mode = quality(pair)
        result.paired += 1
        result.spans_exact += exact
        result.spans += exact or span
        result.speakers += speaker
        result.modes += mode
        result.all_right += (exact or span) and speaker and mode
    result.false_drafts = len(proposal.drafts) - len(used_drafts)
    result.missed = [c.id for i, c in enumerate(curated) if i not in used_curated]
    return result


_COLUMNS = (
    ("curated", "curated"),
    ("paired", "paired"),
    ("span=", "spans_exact"),
    ("span", "spans"),
    ("speaker", "speakers"),
    ("mode", "modes"),
    ("all 3", "all_right"),
    ("drafts", "drafts"),
    ("false", "false_drafts"),
)


def render_scores(scores: Sequence[Score]) -> str:
    """The recall table: per source and in total, curated citations and what the drafts found."""
    total = Score("total")
    for row in scores:
        for _, name in _COLUMNS:
            setattr(total, name, getattr(total, name) + getattr(row, name))
    lines = ["source".ljust(30) + "".join(heading.rjust(9) for heading, _ in _COLUMNS)]
    for row in [*scores, total]:
        cells = "".join(str(getattr(row, name)).rjust(9) for _, name in _COLUMNS)
        lines.append(row.source_id.ljust(30) + cells)
    lines.append(
        "paired: curated citations a draft overlaps (one draft each); span=: the draft's span is the"
        " curated one; span: equal, or containing it within its sentences; speaker, mode: right among"
        " the paired; false: drafts paired with no curated citation"
    )
    return "\n".join(lines)


def curated_citations(dataset: Dataset, source_id: str) -> list[Curated]:
    """The curated citations of one source, as the score reads them."""
    return [
        Curated(c.id, c.evidence.start, c.evidence.end, dataset.claims[c.claim].speaker, c.mode.value)
        for c in dataset.citations_by_source.get(source_id, [])
    ]
