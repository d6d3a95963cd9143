// Decrypts, with panva/jose, every JWE case in DIR/*.json and checks the plaintext: the part of
// interop_jwcrypto.rs's "ours -> theirs" check that jwcrypto cannot do (RSA-OAEP-384 and
// RSA-OAEP-512). Same file format and output as verify_with_jwcrypto.py:
//
//     npm ci --prefix crates/jose-core/tests/interop
//     node crates/jose-core/tests/interop/verify_with_panva_jose.mjs DIR
//
// A case with "expect": "refused" passes when panva/jose refuses it with an error whose message
// holds the case's "refused_with". One line per case
// ("ok   NAME" or "FAIL NAME: why"), then "panva/jose X.Y.Z: N of M cases as expected"; exit
// status 0 only when every case passed (1 when one failed, 2 on bad input).

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { compactDecrypt, flattenedDecrypt, generalDecrypt, importJWK } from 'jose';

const dir = process.argv[2];
if (!dir || !statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
  console.error('usage: verify_with_panva_jose.mjs DIR');
  process.exit(2);
}
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
if (files.length === 0) {
  console.error(`no *.json in ${dir}`);
  process.exit(2);
}
const joseVersion = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('jose').replace(/dist\/.*$/, 'package.json'), 'utf8'),
).version;

const b64json = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

function headerValues(token, member) {
  const headers = [];
  if (token.trimStart().startsWith('{')) {
    const obj = JSON.parse(token);
    for (const e of [obj, ...(obj.recipients ?? [])]) {
      if (e.protected) headers.push(b64json(e.protected));
      if (e.header) headers.push(e.header);
      if (e.unprotected) headers.push(e.unprotected);
    }
  } else {
    headers.push(b64json(token.split('.')[0]));
  }
  return new Set(headers.filter((h) => member in h).map((h) => h[member]));
}

async function check(c, keys) {
  if (c.kind !== 'jwe') throw new Error(`unsupported kind ${c.kind}`);
  if (!headerValues(c.token, 'alg').has(c.alg)) throw new Error(`no header names alg ${c.alg}`);
  const encs = headerValues(c.token, 'enc');
  if (encs.size !== 1 || !encs.has(c.enc)) throw new Error(`enc is not ${c.enc}`);
  const options = { keyManagementAlgorithms: [c.alg], contentEncryptionAlgorithms: [c.enc] };
  for (const kid of c.keys) {
    const key = await importJWK(keys[kid], c.alg);
    let result;
    if (c.serialization === 'compact') {
      result = await compactDecrypt(c.token, key, options);
    } else if (c.serialization === 'flattened') {
      result = await flattenedDecrypt(JSON.parse(c.token), key, options);
    } else {
      result = await generalDecrypt(JSON.parse(c.token), key, options);
    }
    const got = Buffer.from(result.plaintext).toString('utf8');
    if (got !== c.plaintext) throw new Error(`key ${kid}: plaintext differs: ${got.slice(0, 80)}`);
  }
}

let total = 0;
let passed = 0;
for (const file of files) {
  const doc = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  for (const c of doc.cases) {
    total += 1;
    const refuse = c.expect === 'refused';
    try {
      await check(c, doc.keys);
      if (refuse) {
        console.log(`FAIL ${c.name}: accepted, expected a refusal (${c.because})`);
      } else {
        passed += 1;
        console.log(`ok   ${c.name}`);
      }
    } catch (e) {
      if (refuse && String(e?.message ?? e).includes(c.refused_with ?? '')) {
        passed += 1;
        console.log(`ok   ${c.name} (refused, as expected: ${e?.name ?? 'Error'}: ${e?.message ?? e})`);
      } else {
        console.log(`FAIL ${c.name}: ${e?.name ?? 'Error'}: ${e?.message ?? e}`);
      }
    }
  }
}
console.log(`panva/jose ${joseVersion}: ${passed} of ${total} cases as expected`);
process.exit(passed === total ? 0 : 1);
