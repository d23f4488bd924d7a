"""The GraphQL documents the scenarios send, and how a cold run varies their variables."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

# The reference workload: a 20-claim page with speakers, dates and cited spans.
# `asOf` is the variable cold runs change on every request (a different day each time): the
# answer stays the same size and shape, but no response cache can have seen the request.
CLAIMS_20 = """query Claims($asOf: Date) {
  claims(first: 20) {
    totalCount
    nodes {
      id summary topics
      saidOn { date precision }
      speaker { id name }
      citations(asOf: $asOf) { mode evidence { exact start end } }
    }
  }
}"""

# claims -> citations -> source -> outlet, four levels of resolvers per item.
NESTED = """query Nested($asOf: Date) {
  claims(first: 20) {
    nodes {
      id
      citations(asOf: $asOf) {
        mode
        source { id headline publishedOn { date } outlet { id name kind } }
      }
    }
  }
}"""

_PAGE = "{ totalCount nodes { id summary speaker { name } citations(asOf: $asOf) { mode } } }"


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode("ascii")


def _large() -> str:
    """1,000 claims in one request: `first` is capped at 100, so ten aliased pages of 100, each
    starting after the previous page's last cursor."""
    pages = ["  p0: claims(first: 100) " + _PAGE]
    pages += [f'  p{i}: claims(first: 100, after: "{_cursor(100 * i - 1)}") {_PAGE}' for i in range(1, 10)]
    return "query Large($asOf: Date) {\n" + "\n".join(pages) + "\n}"


LARGE = _large()

SPEAKER_PAGE = """query SpeakerPage($speaker: ID!, $asOf: Date) {
  claims(first: 20, filter: {speaker: $speaker}) {
    totalCount
    nodes { id summary saidOn { date } citations(asOf: $asOf) { mode } }
  }
}"""

SEARCH = """query Search($text: String!, $asOf: Date, $first: Int! = 20) {
  search(text: $text, first: $first) {
    matched
    item {
      __typename
      ... on Person { id name }
      ... on Claim { id summary citations(asOf: $asOf) { mode } }
      ... on Source { id headline }
    }
  }
}"""

WARM_AS_OF = "2030-01-01"


@dataclass(frozen=True)
class Request:
    """One HTTP request a scenario repeats: method, path, and for GraphQL the document and variables."""

    method: str
    path: str
    query: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    vary: str | None = None
    """Name of the variable a cold run changes on every request (a Date), or None for a warm run."""
    reconnect_every: int = 0
    """Cold runs only: every n-th request asks the server to close its connection (0: never)."""

    def body(self) -> bytes:
        """Returns the JSON body of a POST (the first request's, for a cold run)."""
        return json.dumps({"query": self.query, "variables": self.variables}).encode("utf-8")
