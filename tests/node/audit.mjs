// graphql-http's server audit (the GraphQL-over-HTTP spec's checks) against a live parley server.
// Usage: node audit.mjs http://127.0.0.1:PORT/graphql — prints {"ok": n, "total": n, "failed": [...]}.
import { auditServer } from 'graphql-http';

const results = await auditServer({ url: process.argv[2] });
const failed = results
  .filter((r) => r.status !== 'ok')
  .map((r) => ({ id: r.id, name: r.name, status: r.status, reason: r.reason }));
console.log(JSON.stringify({ ok: results.length - failed.length, total: results.length, failed }));
