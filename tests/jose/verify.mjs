// Verifies Roster access tokens the way a product's service would, with
// `jose` (pinned in tests/package.json) and nothing but the JWKS URL:
//   node verify.mjs <jwks-url> <issuer> <now-ms> <token>...
// One line per token: {"ok":true,"sub":…,"kid":…} or {"ok":false,"error":…}.
import { createRemoteJWKSet, jwtVerify } from 'jose';

const [jwksUrl, issuer, nowMs, ...tokens] = process.argv.slice(2);
const jwks = createRemoteJWKSet(new URL(jwksUrl));
for (const token of tokens) {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer,
      audience: issuer,
      algorithms: ['EdDSA'],
      // The test's clock, which it moves.
      currentDate: new Date(Number(nowMs)),
    });
    console.log(JSON.stringify({ ok: true, sub: payload.sub, kid: protectedHeader.kid }));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, error: e.code ?? String(e) }));
  }
}
