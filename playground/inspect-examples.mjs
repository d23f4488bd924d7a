// Validates every examples/*.graphql against schema/schema.graphql with graphql-inspector.
// Usage: node playground/inspect-examples.mjs [schema.graphql] [examples-dir]; exit 1 on any problem.
import { validate } from '@graphql-inspector/core';
import { buildSchema, Source } from 'graphql';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const schemaPath = process.argv[2] ?? join(root, 'schema', 'schema.graphql');
const examplesDir = process.argv[3] ?? join(root, 'examples');

const schema = buildSchema(readFileSync(schemaPath, 'utf8'));
const names = readdirSync(examplesDir).filter((name) => name.endsWith('.graphql')).sort();
const sources = names.map((name) => new Source(readFileSync(join(examplesDir, name), 'utf8'), name));
const invalid = validate(schema, sources, { strictDeprecated: true, strictFragments: true });

for (const doc of invalid) {
  for (const error of [...doc.errors, ...doc.deprecated]) {
    console.error(`${doc.source.name}: ${error.message}`);
  }
}
if (names.length === 0) {
  console.error(`no *.graphql files in ${examplesDir}`);
  process.exit(1);
}
console.log(`graphql-inspector: ${names.length - invalid.length}/${names.length} documents valid`);
process.exit(invalid.length ? 1 : 0);
