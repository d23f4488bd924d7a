"""`passages(text:)`: where pasted words occur in the sources, and the claims whose evidence they touch.

A thin wrapper around schema/passages.py (matching rules, caps and offsets are defined there); the
folded seed texts are built once per app.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.errors import UserInputError
from api.graph.claims import Claim
from api.graph.common import Evidence
from api.graph.context import Context, Info, described
from api.graph.sources import Source
from schema.passages import MAX_MATCHES, MAX_PASSAGE_LENGTH, PassageError, PassageIndex
from schema.passages import PassageMatch as Match


@strawberry.type(description="One place a pasted passage occurs in a source, and the claims recorded there.")
class PassageMatch:
    match: strawberry.Private[Match]
    context: strawberry.Private[Context]

    @described("The article whose text holds the passage.")
    def source(self) -> Source:
        return Source(record=self.context.dataset.sources[self.match.source])

    @described(
        "The passage as the article prints it (its own quote marks, case and spacing), with code point "
        "offsets into `Source.text`."
    )
    def span(self) -> Evidence:
        return Evidence(record=self.match.evidence())

    @described(
        "Claims with a citation whose evidence overlaps the span, in file order (empty if the words "
        "are not attributed to anyone)."
    )
    def claims(self) -> list[Claim]:
        return [Claim(record=self.context.dataset.claims[slug]) for slug in self.match.claims]


PassageText = Annotated[
    str,
    strawberry.argument(
        description=f"Words pasted from an article, at most {MAX_PASSAGE_LENGTH} characters; case, "
        "straight or curly quotes and runs of whitespace do not matter."
    ),
]


def passages(info: Info, text: PassageText) -> list[PassageMatch]:
    """Every place a pasted passage occurs in a source (at most 100), with the claims whose evidence
    overlaps it, so words that span two claims or stop mid-sentence still find where they came from."""
    context = info.context
    found = context.derived("passages", lambda c: PassageIndex(c.dataset))
    try:
        matches = found.find(text)
    except PassageError as error:
        raise UserInputError(f"`text`: {error}") from None
    assert len(matches) <= MAX_MATCHES
    return [PassageMatch(match=m, context=context) for m in matches]
