#!/usr/bin/env python3
"""Verifies or decrypts, with jwcrypto, every case in DIR/*.json and checks the plaintext.

    python3 crates/jose-core/tests/interop/verify_with_jwcrypto.py DIR

Each file has the format of tests/vectors/interop-jwcrypto/*.json: {"keys": {kid: JWK},
"cases": [{"name", "kind": "jws"|"jwe", "alg", "enc", "serialization", "keys": [kid...],
"plaintext", "token", ...}]}. interop_jwcrypto.rs writes such files with tokens made by
jose-core; this script is the other side. A case passes when, with each of its keys in turn
(one key per signer or recipient), jwcrypto verifies or decrypts the token to exactly the
expected plaintext and the token's headers name the expected alg (and enc). A PBES2 key is an
oct JWK whose "k" is the password.

A case with "expect": "refused" (and a "because") passes when jwcrypto refuses it, with an
error whose text holds the case's "refused_with": what is
known not to interoperate with jwcrypto's defaults stays written down and checked.

Prints one line per case ("ok   NAME" or "FAIL NAME: why"), then
"jwcrypto X.Y.Z: N of M cases as expected"; the exit status is 0 only when every case passed
(1 when one failed, 2 on bad input, 3 when jwcrypto is missing).
"""

import base64
import glob
import importlib.metadata
import json
import os
import sys

try:
    from jwcrypto import jwe, jwk, jws
except ImportError:
    print("jwcrypto is not installed: python3 -m pip install --user 'jwcrypto==1.5.9'",
          file=sys.stderr)
    sys.exit(3)

JWE_ALGS = [
    "RSA-OAEP", "RSA-OAEP-256", "dir", "A128KW", "A192KW", "A256KW",
    "A128GCMKW", "A192GCMKW", "A256GCMKW",
    "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW",
    "PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW",
    "A128GCM", "A192GCM", "A256GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512",
]
JWS_ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
            "HS256", "HS384", "HS512", "EdDSA"]


def b64d(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def header_values(token, member):
    """Every value of `member` in the token's headers (protected, shared, per-recipient)."""
    headers = []
    if token.lstrip().startswith("{"):
        obj = json.loads(token)
        entries = [obj] + obj.get("signatures", []) + obj.get("recipients", [])
        for e in entries:
            if "protected" in e:
                headers.append(json.loads(b64d(e["protected"])))
            for k in ("header", "unprotected"):
                if k in e:
                    headers.append(e[k])
    else:
        headers.append(json.loads(b64d(token.split(".")[0])))
    return {h[member] for h in headers if member in h}


def check(case, keys):
    token = case["token"]
    expected = case["plaintext"].encode("utf-8")
    if case["alg"] not in header_values(token, "alg"):
        raise ValueError("no header names alg %s" % case["alg"])
    if case["kind"] == "jwe" and header_values(token, "enc") != {case["enc"]}:
        raise ValueError("enc is not %s" % case["enc"])
    for kid in case["keys"]:
        key = jwk.JWK(**keys[kid])
        if case["kind"] == "jws":
            obj = jws.JWS()
            obj.allowed_algs = JWS_ALGS
            obj.deserialize(token)
            obj.verify(key)
            got = obj.payload
        elif case["kind"] == "jwe":
            obj = jwe.JWE()
            obj.allowed_algs = JWE_ALGS
            obj.deserialize(token)
            obj.decrypt(key)
            got = obj.payload
        else:
            raise ValueError("unknown kind %r" % case["kind"])
        if got != expected:
            raise ValueError("key %s: plaintext differs: %r" % (kid, got[:80]))


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        print("usage: verify_with_jwcrypto.py DIR", file=sys.stderr)
        return 2
    files = sorted(glob.glob(os.path.join(argv[1], "*.json")))
    if not files:
        print("no *.json in %s" % argv[1], file=sys.stderr)
        return 2
    total = passed = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for case in doc["cases"]:
            total += 1
            refuse = case.get("expect") == "refused"
            try:
                check(case, doc["keys"])
            except Exception as e:  # every failure is reported, one line per case
                if refuse and case.get("refused_with", "") in str(e):
                    passed += 1
                    print("ok   %s (refused, as expected: %s: %s)" % (case["name"],
                                                                     type(e).__name__, e))
                else:
                    print("FAIL %s: %s: %s" % (case["name"], type(e).__name__, e))
            else:
                if refuse:
                    print("FAIL %s: accepted, expected a refusal (%s)" % (case["name"],
                                                                        case.get("because")))
                else:
                    passed += 1
                    print("ok   %s" % case["name"])
    print("jwcrypto %s: %d of %d cases as expected" % (importlib.metadata.version("jwcrypto"),
                                                      passed, total))
    return 0 if passed == total else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
