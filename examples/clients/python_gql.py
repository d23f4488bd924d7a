"""Who said it? Asks parley's GraphQL API with the gql client, checking the query against the live schema.

Usage: python python_gql.py [ENDPOINT] [WORDS]  (ENDPOINT also from $PARLEY_URL)
Exits 1, with a message on stderr, when no claim matches the words.
"""

import os
import sys

from gql import Client, gql
from gql.transport.httpx import HTTPXTransport

WHO_SAID_IT = gql(
    """
    query WhoSaidIt($words: String!) {
      claims(filter: {text: $words}) {
        nodes {
          speaker { name }
          saidOn { date }
          citations {
            mode
            outlet { name }
            evidence { exact }
          }
        }
      }
    }
    """
)


def main() -> int:
    default = os.environ.get("PARLEY_URL", "http://127.0.0.1:8000/graphql")
    endpoint = sys.argv[1] if len(sys.argv) > 1 else default
    words = sys.argv[2] if len(sys.argv) > 2 else "China's not easy"
    # fetch_schema_from_transport: gql introspects the server and validates the query before sending it.
    client = Client(transport=HTTPXTransport(url=endpoint), fetch_schema_from_transport=True)
    with client as session:
        result = session.execute(WHO_SAID_IT, variable_values={"words": words})
    claims = result["claims"]["nodes"]
    if not claims:
        print(f"No claim matches {words!r}.", file=sys.stderr)
        return 1
    for claim in claims:
        said_on = claim["saidOn"]["date"] if claim["saidOn"] else "date unknown"
        print(f"{claim['speaker']['name']} ({said_on})")
        for citation in claim["citations"]:
            outlet = citation["outlet"]["name"] if citation["outlet"] else "unknown outlet"
            print(f"  {citation['mode']} in {outlet}: {citation['evidence']['exact']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
