// Generates crates/jose-core/tests/vectors/interop-jwcrypto/jwe-rsa-oaep-384-512.panva-jose.json:
// the JWE RSA-OAEP-384 and RSA-OAEP-512 cases, which jwcrypto does not implement, made by
// panva/jose (Node.js's WebCrypto, i.e. OpenSSL) in the same format as make_jwcrypto_fixtures.py.
//
//     npm ci --prefix crates/jose-core/tests/interop
//     node crates/jose-core/tests/interop/make_panva_jose_fixtures.mjs
//
// The keys are fresh on each run and named test-fixture-*: public test fixtures, never to be used
// for anything.

import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompactEncrypt, FlattenedEncrypt, GeneralEncrypt, exportJWK } from 'jose';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'vectors', 'interop-jwcrypto', 'jwe-rsa-oaep-384-512.panva-jose.json');
const joseVersion = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('jose').replace(/dist\/.*$/, 'package.json'), 'utf8'),
).version;

const ENCS = ['A128GCM', 'A192GCM', 'A256GCM', 'A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512'];
const enc8 = (s) => new TextEncoder().encode(s);
const b64 = (bytes) => Buffer.from(bytes).toString('base64url');

const keys = {};
const pairs = {};
for (const w of ['a', 'b']) {
  const kid = `test-fixture-rsa-2048-${w}`;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  pairs[w] = { kid, publicKey };
  keys[kid] = { ...(await exportJWK(privateKey)), kid };
}

const plaintext = (name) => `{"case":"${name}","from":"panva/jose","text":"Grüße, jose-core ✓"}`;
const aad = Buffer.from('interop aad \x00\xff', 'latin1');
const cases = [];
for (const alg of ['RSA-OAEP-384', 'RSA-OAEP-512']) {
  for (const enc of ENCS) {
    const a = pairs.a;
    const b = pairs.b;
    let name = `jwe ${alg} ${enc} compact`;
    let token = await new CompactEncrypt(enc8(plaintext(name)))
      .setProtectedHeader({ alg, kid: a.kid, enc })
      .encrypt(a.publicKey);
    cases.push({ name, kind: 'jwe', alg, enc, serialization: 'compact', keys: [a.kid], zip: false, plaintext: plaintext(name), token });

    name = `jwe ${alg} ${enc} flattened`;
    token = JSON.stringify(
      await new FlattenedEncrypt(enc8(plaintext(name)))
        .setProtectedHeader({ alg, kid: a.kid, enc })
        .setAdditionalAuthenticatedData(aad)
        .encrypt(a.publicKey),
    );
    cases.push({ name, kind: 'jwe', alg, enc, serialization: 'flattened', keys: [a.kid], zip: false, plaintext: plaintext(name), token, aad: b64(aad) });

    name = `jwe ${alg} ${enc} general`;
    const general = new GeneralEncrypt(enc8(plaintext(name))).setProtectedHeader({ enc });
    general.addRecipient(a.publicKey).setUnprotectedHeader({ alg, kid: a.kid });
    general.addRecipient(b.publicKey).setUnprotectedHeader({ alg, kid: b.kid });
    token = JSON.stringify(await general.encrypt());
    cases.push({ name, kind: 'jwe', alg, enc, serialization: 'general', keys: [a.kid, b.kid], zip: false, plaintext: plaintext(name), token });
  }
}

const doc = {
  note: 'Interop fixtures for crates/jose-core/tests/interop_jwcrypto.rs, made by panva/jose (jwcrypto has no RSA-OAEP-384/512). Every key here is a public TEST FIXTURE (kid test-fixture-*): never use it for anything.',
  family: 'JWE RSA-OAEP-384, RSA-OAEP-512 (panva/jose)',
  generator: {
    library: 'panva/jose',
    jose: joseVersion,
    node: process.version,
    openssl: process.versions.openssl,
    command: 'node crates/jose-core/tests/interop/make_panva_jose_fixtures.mjs',
    generated: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  },
  keys,
  cases,
};
writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
console.log(`${out.split('/').pop()} ${cases.length} cases, ${Object.keys(keys).length} keys, ${statSync(out).size} bytes`);
