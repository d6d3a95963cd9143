// Generates crates/jose-core/tests/vectors/interop-jwt/panva-jose.json: signed JWTs (RS256,
// PS256, ES256, EdDSA, HS256) made by panva/jose's SignJWT, and one nested JWT (SignJWT, then
// CompactEncrypt with RSA-OAEP-256 + A256GCM and "cty": "JWT"), for
// crates/jose-core/tests/interop_jwt.rs.
//
//     npm ci --prefix crates/jose-core/tests/interop
//     node crates/jose-core/tests/interop/make_jwt_fixtures.mjs
//
// The claims use fixed times (2026-01-01T00:00:00Z, valid for an hour); the test verifies them
// with a ManualClock at "now", so they never expire. The keys are fresh on each run and named
// test-fixture-*: public test fixtures, never to be used for anything.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompactEncrypt, SignJWT, exportJWK } from 'jose';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'vectors', 'interop-jwt', 'panva-jose.json');
const joseVersion = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('jose').replace(/dist\/.*$/, 'package.json'), 'utf8'),
).version;

const IAT = 1767225600; // 2026-01-01T00:00:00Z
const EXP = IAT + 3600;
const NOW = IAT + 600;
const ISS = 'https://as.panva-jose.example';

const keys = {};
const pairs = {};
async function pair(kid, type, options) {
  const { publicKey, privateKey } = generateKeyPairSync(type, options);
  pairs[kid] = { publicKey, privateKey };
  keys[kid] = { ...(await exportJWK(privateKey)), kid };
  return pairs[kid];
}
const rsa = await pair('test-fixture-jwt-rsa-2048', 'rsa', { modulusLength: 2048 });
const ec = await pair('test-fixture-jwt-p256', 'ec', { namedCurve: 'P-256' });
const ed = await pair('test-fixture-jwt-ed25519', 'ed25519');
const rsaEnc = await pair('test-fixture-jwt-rsa-oaep-2048', 'rsa', { modulusLength: 2048 });
const hmacSecret = randomBytes(32);
keys['test-fixture-jwt-hs256'] = { kty: 'oct', k: hmacSecret.toString('base64url'), kid: 'test-fixture-jwt-hs256' };

// [name, alg, kid, signing key, typ or null, aud, audience the verifier names, extra claims]
const specs = [
  ['RS256 at+jwt, aud string', 'RS256', 'test-fixture-jwt-rsa-2048', rsa.privateKey, 'at+jwt',
    'https://api.example.com', 'https://api.example.com', { scope: 'payments accounts', client_id: 'panva-client' }],
  ['PS256 JWT, aud array', 'PS256', 'test-fixture-jwt-rsa-2048', rsa.privateKey, 'JWT',
    ['https://a.example', 'https://api.example.com'], 'https://api.example.com', { roles: ['reader', 'writer'] }],
  ['ES256 no typ, aud string', 'ES256', 'test-fixture-jwt-p256', ec.privateKey, null,
    'https://api.example.com', 'https://api.example.com', { name: 'Grüße ✓', nested: { a: 1, b: [true, null] } }],
  ['EdDSA at+jwt, aud array of one', 'EdDSA', 'test-fixture-jwt-ed25519', ed.privateKey, 'at+jwt',
    ['https://api.example.com'], 'https://api.example.com', { scope: 'openid' }],
  ['HS256 JWT, aud array', 'HS256', 'test-fixture-jwt-hs256', hmacSecret, 'JWT',
    ['https://api.example.com', 'https://b.example'], 'https://api.example.com', { amount: 12.5 }],
];

const cases = [];
async function signed(name, alg, kid, key, typ, aud, extra, times = {}) {
  const claims = {
    ...extra,
    iss: ISS,
    sub: `user ${name}`,
    aud,
    jti: `jti-${cases.length}`,
    iat: times.iat ?? IAT,
    nbf: times.nbf ?? IAT,
    exp: times.exp ?? EXP,
  };
  const header = typ ? { alg, kid, typ } : { alg, kid };
  // Every registered claim through SignJWT's own setters.
  const token = await new SignJWT(extra)
    .setProtectedHeader(header)
    .setIssuer(claims.iss)
    .setSubject(claims.sub)
    .setAudience(aud)
    .setJti(claims.jti)
    .setIssuedAt(claims.iat)
    .setNotBefore(claims.nbf)
    .setExpirationTime(claims.exp)
    .sign(key);
  return { token, claims };
}

for (const [name, alg, kid, key, typ, aud, audience, extra] of specs) {
  const { token, claims } = await signed(name, alg, kid, key, typ, aud, extra);
  cases.push({ name, alg, kid, typ, audience, claims, token });
}

// Fractional NumericDates (RFC 7519 allows them; SignJWT writes a number as given).
{
  const name = 'ES256 at+jwt, fractional NumericDates';
  const times = { iat: IAT + 0.25, nbf: IAT + 0.5, exp: EXP + 0.75 };
  const { token, claims } = await signed(name, 'ES256', 'test-fixture-jwt-p256', ec.privateKey, 'at+jwt',
    'https://api.example.com', {}, times);
  cases.push({ name, alg: 'ES256', kid: 'test-fixture-jwt-p256', typ: 'at+jwt', audience: 'https://api.example.com', claims, token });
}

// Nested: signed (ES256, typ at+jwt), then encrypted to the RSA-OAEP-256 key, cty JWT.
{
  const name = 'nested ES256 in RSA-OAEP-256 A256GCM';
  const { token: inner, claims } = await signed(name, 'ES256', 'test-fixture-jwt-p256', ec.privateKey, 'at+jwt',
    'https://api.example.com', { scope: 'payments' });
  const token = await new CompactEncrypt(new TextEncoder().encode(inner))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT', kid: 'test-fixture-jwt-rsa-oaep-2048' })
    .encrypt(rsaEnc.publicKey);
  cases.push({
    name, alg: 'ES256', kid: 'test-fixture-jwt-p256', typ: 'at+jwt', audience: 'https://api.example.com', claims, token,
    nested: { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'test-fixture-jwt-rsa-oaep-2048' },
  });
}

const doc = {
  note: 'Interop fixtures for crates/jose-core/tests/interop_jwt.rs, made by panva/jose. Every key here is a public TEST FIXTURE (kid test-fixture-*): never use it for anything.',
  generator: {
    library: 'panva/jose',
    jose: joseVersion,
    node: process.version,
    openssl: process.versions.openssl,
    command: 'node crates/jose-core/tests/interop/make_jwt_fixtures.mjs',
    generated: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  },
  issuer: ISS,
  now: NOW,
  keys,
  cases,
};
writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
console.log(`${out.split('/').pop()} ${cases.length} cases, ${Object.keys(keys).length} keys, ${statSync(out).size} bytes`);
