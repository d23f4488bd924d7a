// Apollo Client with its automatic-persisted-queries link, against a live parley server.
// Usage: node apollo_persisted.mjs http://127.0.0.1:PORT/graphql
// Runs one query with two fresh clients and prints, as JSON, each client's data and the HTTP
// requests it made (method, whether the query text was sent, status), for the test to check.
import { createHash } from 'node:crypto';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client/core/index.js';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries/index.js';

const uri = process.argv[2];
const QUERY = gql`
  query WhoSaidChinasNotEasy {
    claims(filter: { text: "China's not easy" }) {
      totalCount
      nodes { speaker { name } }
    }
  }
`;

async function run() {
  const requests = [];
  const recordingFetch = async (url, options) => {
    const response = await fetch(url, options);
    const sent = options.method === 'GET' ? decodeURIComponent(String(url)) : String(options.body);
    requests.push({ method: options.method, withQuery: sent.includes('claims('), status: response.status });
    return response;
  };
  const sha256 = (text) => createHash('sha256').update(text).digest('hex');
  const link = createPersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(
    new HttpLink({ uri, fetch: recordingFetch }),
  );
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  const { data } = await client.query({ query: QUERY, fetchPolicy: 'no-cache' });
  return { data, requests };
}

const first = await run();
const second = await run();
console.log(JSON.stringify({ first, second }));
