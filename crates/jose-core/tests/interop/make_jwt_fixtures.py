#!/usr/bin/env python3
"""Generates crates/jose-core/tests/vectors/interop-jwt/jwcrypto.json with jwcrypto's JWT class.

    python3 -m pip install --user 'jwcrypto==1.5.9'
    python3 crates/jose-core/tests/interop/make_jwt_fixtures.py

Signed JWTs (RS256, PS256, ES256, EdDSA on Ed25519, HS256) and one nested JWT (signed, then
encrypted with RSA-OAEP-256 + A256GCM, "cty": "JWT"), in the format of make_jwt_fixtures.mjs
(panva-jose.json), for crates/jose-core/tests/interop_jwt.rs. The claims use fixed times
(2026-01-01T00:00:00Z, valid for an hour); the test verifies them with a ManualClock at "now",
so they never expire. The keys are fresh on each run and named test-fixture-*: public test
fixtures, never to be used for anything.
"""

import datetime
import importlib.metadata
import json
import os
import platform

import cryptography
from cryptography.hazmat.backends.openssl.backend import backend as openssl_backend
from jwcrypto import jwk, jwt

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors", "interop-jwt",
                   "jwcrypto.json")

IAT = 1767225600  # 2026-01-01T00:00:00Z
EXP = IAT + 3600
NOW = IAT + 600
ISS = "https://as.jwcrypto.example"
API = "https://api.example.com"


def main():
    keys = {
        "test-fixture-jwt-rsa-2048": jwk.JWK.generate(kty="RSA", size=2048),
        "test-fixture-jwt-p256": jwk.JWK.generate(kty="EC", crv="P-256"),
        "test-fixture-jwt-ed25519": jwk.JWK.generate(kty="OKP", crv="Ed25519"),
        "test-fixture-jwt-hs256": jwk.JWK.generate(kty="oct", size=256),
        "test-fixture-jwt-rsa-oaep-2048": jwk.JWK.generate(kty="RSA", size=2048),
    }
    specs = [
        ("RS256 at+jwt, aud string", "RS256", "test-fixture-jwt-rsa-2048", "at+jwt", API,
         {"scope": "payments accounts", "client_id": "jwcrypto-client"}),
        ("PS256 JWT, aud array", "PS256", "test-fixture-jwt-rsa-2048", "JWT",
         ["https://a.example", API], {"roles": ["reader", "writer"]}),
        ("ES256 no typ, aud string", "ES256", "test-fixture-jwt-p256", None, API,
         {"name": "Gr\u00fc\u00dfe \u2713", "nested": {"a": 1, "b": [True, None]}}),
        ("EdDSA application/at+jwt, aud array of one", "EdDSA", "test-fixture-jwt-ed25519",
         "application/at+jwt", [API], {"scope": "openid"}),
        ("HS256 JWT, aud array", "HS256", "test-fixture-jwt-hs256", "JWT",
         [API, "https://b.example"], {"amount": 12.5}),
    ]
    cases = []

    def signed(name, alg, kid, typ, aud, extra):
        claims = {"iss": ISS, "sub": "user " + name, "aud": aud, "jti": "jti-%d" % len(cases),
                  "iat": IAT, "nbf": IAT, "exp": EXP}
        claims.update(extra)
        header = {"alg": alg, "kid": kid}
        if typ:
            header["typ"] = typ
        token = jwt.JWT(header=header, claims=claims)
        token.make_signed_token(keys[kid])
        return token.serialize(), claims

    for name, alg, kid, typ, aud, extra in specs:
        token, claims = signed(name, alg, kid, typ, aud, extra)
        cases.append({"name": name, "alg": alg, "kid": kid, "typ": typ, "audience": API,
                      "claims": claims, "token": token})

    name = "nested ES256 in RSA-OAEP-256 A256GCM"
    inner, claims = signed(name, "ES256", "test-fixture-jwt-p256", "at+jwt", API,
                           {"scope": "payments"})
    enc_kid = "test-fixture-jwt-rsa-oaep-2048"
    outer = jwt.JWT(header={"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "JWT",
                            "kid": enc_kid}, claims=inner)
    outer.make_encrypted_token(keys[enc_kid])
    cases.append({"name": name, "alg": "ES256", "kid": "test-fixture-jwt-p256", "typ": "at+jwt",
                  "audience": API, "claims": claims, "token": outer.serialize(),
                  "nested": {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": enc_kid}})

    doc = {
        "note": ("Interop fixtures for crates/jose-core/tests/interop_jwt.rs, made by jwcrypto. "
                 "Every key here is a public TEST FIXTURE (kid test-fixture-*): never use it "
                 "for anything."),
        "generator": {
            "library": "jwcrypto",
            "jwcrypto": importlib.metadata.version("jwcrypto"),
            "cryptography": cryptography.__version__,
            "openssl": openssl_backend.openssl_version_text(),
            "python": platform.python_version(),
            "command": "python3 crates/jose-core/tests/interop/make_jwt_fixtures.py",
            "generated": datetime.datetime.now(datetime.timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%SZ"),
        },
        "issuer": ISS,
        "now": NOW,
        "keys": {kid: dict(json.loads(k.export(private_key=not k.has_public or k.has_private)),
                           kid=kid) for kid, k in keys.items()},
        "cases": cases,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("%s %d cases, %d keys, %d bytes" % (os.path.basename(OUT), len(cases), len(keys),
                                              os.path.getsize(OUT)))


if __name__ == "__main__":
    main()
