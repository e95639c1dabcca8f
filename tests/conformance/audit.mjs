// Runs graphql-http's GraphQL-over-HTTP server audits against the URL given
// as the only argument and prints one JSON line per audit:
// {"id","name","status","reason"}. tests/conformance.rs reads them.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}

for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  const line = { id: audit.id, name: audit.name, status: result.status };
  if (result.status !== 'ok') {
    line.reason = result.reason;
    // The server's answer, so that a failure says what came back.
    if (result.response) {
      line.httpStatus = result.response.status;
      line.body = await result.response.text().catch(() => null);
    }
  }
  console.log(JSON.stringify(line));
}
