// Verifies, with panva/jose's jwtVerify, the JWTs that crates/jose-core/tests/interop_jwt.rs makes
// with jose_core::jwt::sign and encrypt_signed, read as JSON from stdin:
//
//     {"keys": {kid: JWK}, "cases": [{"name", "alg", "kid", "typ" (or null), "issuer",
//      "audience", "claims", "token", "nested": {"alg", "enc", "kid"} (nested JWTs only),
//      "expect": "valid" | "refused", "because", "refused_with": [text, ...] (refused only)}]}
//
//     npm ci --prefix crates/jose-core/tests/interop
//     node crates/jose-core/tests/interop/verify_jwt_with_panva_jose.mjs < cases.json
//
// A valid case passes when jwtVerify accepts it with the case's key (bound to its alg), issuer,
// audience and typ, requiring exp and iat and checking them against the current time, and the
// claims it returns are exactly the case's claims (a nested case is first decrypted with
// compactDecrypt, allowing only its alg and enc, and must say "cty": "JWT"). A refused case
// passes when that fails with an error whose "CODE: message" holds one of its "refused_with"
// (each checker's wording is listed, so a refusal for another reason fails). One line per case ("ok   NAME" or "FAIL NAME: why"), then
// "panva/jose X.Y.Z: N of M cases as expected"; exit status 0 only when every case passed (1 when
// one failed, 2 on bad input).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { compactDecrypt, importJWK, jwtVerify } from 'jose';

const joseVersion = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('jose').replace(/dist\/.*$/, 'package.json'), 'utf8'),
).version;

let doc;
try {
  doc = JSON.parse(readFileSync(0, 'utf8'));
  if (!Array.isArray(doc.cases) || doc.cases.length === 0) throw new Error('no cases');
} catch (e) {
  console.error(`bad input on stdin: ${e.message}`);
  process.exit(2);
}

async function check(c) {
  let token = c.token;
  if (c.nested) {
    const key = await importJWK(doc.keys[c.nested.kid], c.nested.alg);
    const { plaintext, protectedHeader } = await compactDecrypt(token, key, {
      keyManagementAlgorithms: [c.nested.alg],
      contentEncryptionAlgorithms: [c.nested.enc],
    });
    if (protectedHeader.cty !== 'JWT') throw new Error(`JWE cty is ${protectedHeader.cty}, expected JWT`);
    token = new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
  }
  const key = await importJWK(doc.keys[c.kid], c.alg);
  const options = {
    algorithms: [c.alg],
    issuer: c.issuer,
    audience: c.audience,
    requiredClaims: ['exp', 'iat'],
  };
  if (c.typ) options.typ = c.typ;
  const { payload, protectedHeader } = await jwtVerify(token, key, options);
  if (protectedHeader.alg !== c.alg) throw new Error(`alg is ${protectedHeader.alg}`);
  if ((protectedHeader.typ ?? null) !== c.typ) throw new Error(`typ is ${protectedHeader.typ}, expected ${c.typ}`);
  if (!isDeepStrictEqual(payload, c.claims)) {
    throw new Error(`claims differ: ${JSON.stringify(payload)} != ${JSON.stringify(c.claims)}`);
  }
}

let passed = 0;
for (const c of doc.cases) {
  const refuse = c.expect === 'refused';
  try {
    await check(c);
    if (refuse) {
      console.log(`FAIL ${c.name}: accepted, expected a refusal (${c.because})`);
    } else {
      passed += 1;
      console.log(`ok   ${c.name}`);
    }
  } catch (e) {
    const why = `${e?.code ?? e?.name ?? 'Error'}: ${e?.message ?? e}`;
    if (refuse && (c.refused_with ?? []).some((w) => why.includes(w))) {
      passed += 1;
      console.log(`ok   ${c.name} (refused, as expected: ${why})`);
    } else if (refuse) {
      console.log(`FAIL ${c.name}: refused for another reason than ${JSON.stringify(c.refused_with)}: ${why}`);
    } else {
      console.log(`FAIL ${c.name}: ${why}`);
    }
  }
}
console.log(`panva/jose ${joseVersion}: ${passed} of ${doc.cases.length} cases as expected`);
process.exit(passed === doc.cases.length ? 0 : 1);
