// Who said it? Asks parley's GraphQL API with plain fetch (Node 20+, no packages).
// Usage: node node_fetch.mjs [ENDPOINT] [WORDS]  (ENDPOINT also from $PARLEY_URL)
// Exits 1, with a message on stderr, when no claim matches the words.
const endpoint = process.argv[2] ?? process.env.PARLEY_URL ?? 'http://127.0.0.1:8000/graphql';
const words = process.argv[3] ?? "China's not easy";

const query = `
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
  }`;

const response = await fetch(endpoint, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
  body: JSON.stringify({ query, variables: { words } }),
});
const { data, errors } = await response.json();
if (errors) {
  console.error(errors.map((error) => error.message).join('\n'));
  process.exit(1);
}
if (data.claims.nodes.length === 0) {
  console.error(`No claim matches ${JSON.stringify(words)}.`);
  process.exit(1);
}
for (const claim of data.claims.nodes) {
  console.log(`${claim.speaker.name} (${claim.saidOn ? claim.saidOn.date : 'date unknown'})`);
  for (const citation of claim.citations) {
    const outlet = citation.outlet ? citation.outlet.name : 'unknown outlet';
    console.log(`  ${citation.mode} in ${outlet}: ${citation.evidence.exact}`);
  }
}
