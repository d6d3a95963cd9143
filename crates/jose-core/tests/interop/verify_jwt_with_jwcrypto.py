#!/usr/bin/env python3
"""Verifies, with jwcrypto's JWT class, the JWTs crates/jose-core/tests/interop_jwt.rs makes.

    python3 crates/jose-core/tests/interop/verify_jwt_with_jwcrypto.py < cases.json

Reads from stdin the format verify_jwt_with_panva_jose.mjs reads: {"keys": {kid: JWK},
"cases": [{"name", "alg", "kid", "typ" (or null), "issuer", "audience", "claims", "token",
"nested": {"alg", "enc", "kid"} (nested JWTs only), "expect": "valid" | "refused",
"because", "refused_with": [text, ...]}]}. A valid case passes when jwcrypto.jwt.JWT
verifies it with the case's key (allowing only its alg) and check_claims {iss, aud, exp
(against the current time), iat}, the header's typ is the case's (compared as RFC 7515 says: case-insensitively, "application/"
optional), and the claims are exactly the case's. A nested case is first decrypted by
jwt.JWT (expected_type "JWE", allowing only its alg and enc) and must say "cty": "JWT". A refused
case passes when that fails with an error whose "Type: message" holds one of its
"refused_with" (each checker's wording is listed, so a refusal for another reason fails).

Prints one line per case ("ok   NAME" or "FAIL NAME: why"), then
"jwcrypto X.Y.Z: N of M cases as expected"; the exit status is 0 only when every case passed
(1 when one failed, 2 on bad input, 3 when jwcrypto is missing).
"""

import importlib.metadata
import json
import sys

try:
    from jwcrypto import jwk, jwt
except ImportError:
    print("jwcrypto is not installed: python3 -m pip install --user 'jwcrypto==1.5.9'",
          file=sys.stderr)
    sys.exit(3)


def norm_typ(typ):
    if typ is None:
        return None
    typ = typ.lower()
    return typ[len("application/"):] if typ.startswith("application/") else typ


def check(case, keys):
    token = case["token"]
    if case.get("nested"):
        n = case["nested"]
        outer = jwt.JWT(jwt=token, key=jwk.JWK(**keys[n["kid"]]), algs=[n["alg"], n["enc"]],
                        expected_type="JWE")
        if json.loads(outer.header).get("cty") != "JWT":
            raise ValueError("JWE cty is not JWT: %s" % outer.header)
        token = outer.claims
    verified = jwt.JWT(
        jwt=token,
        key=jwk.JWK(**keys[case["kid"]]),
        algs=[case["alg"]],
        expected_type="JWS",
        check_claims={"iss": case["issuer"], "aud": case["audience"], "exp": None,
                      "iat": None},
    )
    header = json.loads(verified.header)
    if header.get("alg") != case["alg"]:
        raise ValueError("alg is %r" % header.get("alg"))
    if norm_typ(header.get("typ")) != norm_typ(case["typ"]):
        raise ValueError("typ is %r, expected %r" % (header.get("typ"), case["typ"]))
    claims = json.loads(verified.claims)
    if claims != case["claims"]:
        raise ValueError("claims differ: %r != %r" % (claims, case["claims"]))


def main():
    try:
        doc = json.load(sys.stdin)
        if not doc["cases"]:
            raise ValueError("no cases")
    except (ValueError, KeyError, TypeError) as e:
        print("bad input on stdin: %s" % e, file=sys.stderr)
        return 2
    passed = 0
    for case in doc["cases"]:
        refuse = case.get("expect") == "refused"
        try:
            check(case, doc["keys"])
        except Exception as e:  # every failure is reported, one line per case
            why = "%s: %s" % (type(e).__name__, e)
            if refuse and any(w in why for w in case.get("refused_with", [])):
                passed += 1
                print("ok   %s (refused, as expected: %s)" % (case["name"], why))
            elif refuse:
                print("FAIL %s: refused for another reason than %r: %s" % (
                    case["name"], case.get("refused_with"), why))
            else:
                print("FAIL %s: %s" % (case["name"], why))
        else:
            if refuse:
                print("FAIL %s: accepted, expected a refusal (%s)" % (case["name"],
                                                                    case.get("because")))
            else:
                passed += 1
                print("ok   %s" % case["name"])
    print("jwcrypto %s: %d of %d cases as expected" % (importlib.metadata.version("jwcrypto"),
                                                      passed, len(doc["cases"])))
    return 0 if passed == len(doc["cases"]) else 1


if __name__ == "__main__":
    sys.exit(main())
