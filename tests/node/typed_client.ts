// One typed call through the TypeScript operations graphql-codegen generated (./generated.ts, beside
// this file in the test's temporary folder): prints the answer's data as JSON. tsc --strict checks it.
// Usage: node typed_client.js ENDPOINT VARIABLES_JSON
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  WhoSaidChinasNotEasyDocument,
  type WhoSaidChinasNotEasyQuery,
  type WhoSaidChinasNotEasyQueryVariables,
} from './generated.js';

declare const process: { argv: string[]; exitCode: number };

async function execute<Result, Variables>(
  endpoint: string,
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
): Promise<Result> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: Result; errors?: unknown[] };
  if (!response.ok || body.errors || body.data === undefined) {
    throw new Error(`${response.status}: ${JSON.stringify(body.errors)}`);
  }
  return body.data;
}

const [endpoint, given] = process.argv.slice(2);
const variables: WhoSaidChinasNotEasyQueryVariables = { text: String(JSON.parse(given).text) };
const data: WhoSaidChinasNotEasyQuery = await execute(endpoint, WhoSaidChinasNotEasyDocument, variables);
// Typed access: a field the schema lacks, or a missing null check, fails tsc --strict.
const first = data.claims.nodes[0];
console.log(JSON.stringify({ data, speaker: first ? first.speaker.name : null }));
