#!/usr/bin/env python3
"""Generates the interop fixtures of crates/jose-core/tests/interop_jwcrypto.rs with jwcrypto.

    python3 -m pip install --user 'jwcrypto==1.5.9'
    python3 crates/jose-core/tests/interop/make_jwcrypto_fixtures.py

writes crates/jose-core/tests/vectors/interop-jwcrypto/*.json (except the RSA-OAEP-384/512 file,
which jwcrypto cannot make: make_panva_jose_fixtures.mjs writes it with panva/jose).

Every key is fresh, made by jwcrypto (that is, pyca/cryptography and OpenSSL) on each run, and
named test-fixture-*: they are public test fixtures and must never protect anything. Every token
is made by jwcrypto's own JWS and JWE code (no header or byte of it is assembled here), for
every JWS alg and every JWE (alg, enc) pair jwcrypto implements, in the compact serialization
and in the flattened JSON one, and in the general JSON one with two signers or two recipients
where the algorithm allows two (everything but `dir` and `ECDH-ES`, whose key agreement fixes
the CEK). A case names its keys by kid; the Rust test decrypts or verifies it with each of them
in turn and expects the plaintext.
"""

import base64
import datetime
import importlib.metadata
import json
import os
import platform
import sys

import cryptography
from cryptography.hazmat.backends.openssl.backend import backend as openssl_backend
from jwcrypto import jwe, jwk, jws
from jwcrypto.common import json_encode

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors", "interop-jwcrypto")

ENCS = ["A128GCM", "A192GCM", "A256GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"]
ENC_KEY_BITS = {"A128GCM": 128, "A192GCM": 192, "A256GCM": 256,
                "A128CBC-HS256": 256, "A192CBC-HS384": 384, "A256CBC-HS512": 512}

GENERATOR = {
    "library": "jwcrypto",
    "jwcrypto": importlib.metadata.version("jwcrypto"),
    "cryptography": cryptography.__version__,
    "openssl": openssl_backend.openssl_version_text(),
    "python": platform.python_version(),
    "command": "python3 crates/jose-core/tests/interop/make_jwcrypto_fixtures.py",
    "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
}
NOTE = ("Interop fixtures for crates/jose-core/tests/interop_jwcrypto.rs, made by jwcrypto. "
        "Every key here is a public TEST FIXTURE (kid test-fixture-*): never use it for anything.")


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def plaintext(name, zip_=False):
    text = '{"case":"%s","from":"jwcrypto","text":"Gr\u00fc\u00dfe, jose-core \u2713"}' % name
    if zip_:
        # Something DEFLATE has work to do on: about 2 KiB of repetitive JSON.
        text = '{"case":"%s","rows":[%s]}' % (
            name, ",".join('{"n":%d,"iban":"DE89370400440532013000"}' % i for i in range(48)))
    return text.encode("utf-8")


class Family:
    """One fixture file: its keys (by kid) and its cases."""

    def __init__(self, file_name, what):
        self.file_name = file_name
        self.what = what
        self.keys = {}
        self.cases = []

    def key(self, kid, **params):
        if kid not in self.keys:
            key = jwk.JWK.generate(kid=kid, **params)
            self.keys[kid] = key
        return self.keys[kid]

    def password_key(self, kid, password):
        # PBES2: the password as an oct JWK ("k" is the password's bytes), jwcrypto's own form.
        key = jwk.JWK.from_password(password)
        key["kid"] = kid
        self.keys[kid] = key
        return key

    def add(self, **case):
        self.cases.append(case)

    def write(self):
        keys = {kid: json.loads(k.export(private_key=True)) if k.has_private or k["kty"] == "oct"
                else json.loads(k.export_public()) for kid, k in self.keys.items()}
        doc = {"note": NOTE, "family": self.what, "generator": GENERATOR, "keys": keys,
               "cases": self.cases}
        path = os.path.join(OUT, self.file_name)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1, ensure_ascii=False)
            f.write("\n")
        print("%-28s %4d cases, %3d keys, %7d bytes" % (self.file_name, len(self.cases),
                                                        len(self.keys), os.path.getsize(path)))


# -------------------------------------------------------------------------------------------
# JWS
# -------------------------------------------------------------------------------------------

JWS_ALGS = {
    "RS256": dict(kty="RSA", size=2048), "RS384": dict(kty="RSA", size=2048),
    "RS512": dict(kty="RSA", size=2048), "PS256": dict(kty="RSA", size=2048),
    "PS384": dict(kty="RSA", size=2048), "PS512": dict(kty="RSA", size=2048),
    "ES256": dict(kty="EC", crv="P-256"), "ES384": dict(kty="EC", crv="P-384"),
    "ES512": dict(kty="EC", crv="P-521"),
    "HS256": dict(kty="oct", size=256), "HS384": dict(kty="oct", size=384),
    "HS512": dict(kty="oct", size=512),
    "EdDSA": dict(kty="OKP", crv="Ed25519"),
}


def jws_kid(alg, params, which):
    if params["kty"] == "RSA":
        return "test-fixture-rsa-2048-%s" % which  # one RSA key pair for RS* and PS*
    if params["kty"] == "oct":
        return "test-fixture-%s-%s" % (alg.lower(), which)
    return "test-fixture-%s-%s" % (params["crv"].lower(), which)


def make_jws():
    fam = Family("jws.json", "JWS: every alg, compact, flattened and general (two signatures)")
    for alg, params in JWS_ALGS.items():
        ka, kb = (fam.key(jws_kid(alg, params, w), **params) for w in "ab")
        for ser in ["compact", "flattened", "general"]:
            name = "jws %s %s" % (alg, ser)
            payload = plaintext(name)
            token = jws.JWS(payload)
            token.add_signature(ka, alg=None, protected=json_encode({"alg": alg, "kid": ka["kid"]}))
            keys = [ka["kid"]]
            if ser == "general":
                token.add_signature(kb, alg=None,
                                    protected=json_encode({"alg": alg, "kid": kb["kid"]}))
                keys.append(kb["kid"])
            text = token.serialize(compact=(ser == "compact"))
            fam.add(name=name, kind="jws", alg=alg, serialization=ser, keys=keys,
                    plaintext=payload.decode("utf-8"), token=text)
    fam.write()


# -------------------------------------------------------------------------------------------
# JWE
# -------------------------------------------------------------------------------------------

def jwe_case(fam, alg, enc, ser, keys, zip_=False, extra_protected=None, aad=None, label=""):
    """One JWE made by jwcrypto: `keys` is a list of (jwk, kid) recipients."""
    name = "jwe %s %s %s%s%s" % (alg, enc, ser, " zip" if zip_ else "", label)
    data = plaintext(name, zip_)
    protected = {"enc": enc}
    if zip_:
        protected["zip"] = "DEF"
    protected.update(extra_protected or {})
    if ser == "general":
        token = jwe.JWE(data, protected=json_encode(protected), aad=aad)
        for key, kid in keys:
            token.add_recipient(key, header=json_encode({"alg": alg, "kid": kid}))
    else:
        (key, kid), = keys
        protected = dict({"alg": alg, "kid": kid}, **protected)
        token = jwe.JWE(data, protected=json_encode(protected), aad=aad)
        token.add_recipient(key)
    text = token.serialize(compact=(ser == "compact"))
    case = dict(name=name, kind="jwe", alg=alg, enc=enc, serialization=ser,
                keys=[kid for _, kid in keys], zip=zip_, plaintext=data.decode("utf-8"),
                token=text)
    if aad is not None:
        case["aad"] = b64(aad)
    fam.add(**case)


def serializations(fam, alg, enc, make_key, two_recipients=True, **kw):
    a, b = make_key("a"), make_key("b")
    jwe_case(fam, alg, enc, "compact", [a], **kw)
    jwe_case(fam, alg, enc, "flattened", [a], aad=b"interop aad \x00\xff", **kw)
    if two_recipients:
        jwe_case(fam, alg, enc, "general", [a, b], **kw)


def make_rsa_oaep():
    fam = Family("jwe-rsa-oaep.json", "JWE RSA-OAEP, RSA-OAEP-256 (jwcrypto has no -384/-512)")

    def key(w):
        kid = "test-fixture-rsa-2048-%s" % w
        return fam.key(kid, kty="RSA", size=2048), kid
    for alg in ["RSA-OAEP", "RSA-OAEP-256"]:
        for enc in ENCS:
            serializations(fam, alg, enc, key)
    fam.write()


def make_dir():
    fam = Family("jwe-dir.json", "JWE dir: a shared key of the enc's length is the CEK")
    for enc in ENCS:
        def key(w, enc=enc):
            kid = "test-fixture-dir-%s-%s" % (enc.lower(), w)
            return fam.key(kid, kty="oct", size=ENC_KEY_BITS[enc]), kid
        serializations(fam, "dir", enc, key, two_recipients=False)
    fam.write()


def make_aes(file_name, what, algs):
    fam = Family(file_name, what)
    for alg in algs:
        bits = int(alg[1:4])

        def key(w, alg=alg, bits=bits):
            kid = "test-fixture-%s-%s" % (alg.lower(), w)
            return fam.key(kid, kty="oct", size=bits), kid
        for enc in ENCS:
            serializations(fam, alg, enc, key)
    fam.write()


def make_ecdh():
    fam = Family("jwe-ecdh-es.json",
                 "JWE ECDH-ES, ECDH-ES+A128KW/A192KW/A256KW on P-256, P-384, P-521 and X25519")
    curves = [("P-256", "EC"), ("P-384", "EC"), ("P-521", "EC"), ("X25519", "OKP")]
    for alg in ["ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"]:
        for crv, kty in curves:
            def key(w, crv=crv, kty=kty):
                kid = "test-fixture-%s-%s" % (crv.lower(), w)
                return fam.key(kid, kty=kty, crv=crv), kid
            for i, enc in enumerate(ENCS):
                # apu/apv (RFC 7518 section 4.6.1.2) on every other case: the KDF must honour them.
                extra = {"apu": b64(b"Alice " + crv.encode()), "apv": b64(b"Bob")} if i % 2 else None
                serializations(fam, alg, enc, key, two_recipients=(alg != "ECDH-ES"),
                               extra_protected=extra, label=" (%s)" % crv)
    fam.write()


def make_pbes2():
    fam = Family("jwe-pbes2.json",
                 "JWE PBES2-HS256+A128KW, PBES2-HS384+A192KW, PBES2-HS512+A256KW "
                 "(the password is the oct JWK's k; p2c jwcrypto's default 8192, or as given)")
    pw = {"a": "test-fixture password \u00e4 one", "b": "test-fixture password two"}
    for alg in ["PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW"]:
        def key(w, alg=alg):
            kid = "test-fixture-%s-password-%s" % (alg.lower(), w)
            return fam.password_key(kid, pw[w]), kid
        for enc in ENCS:
            serializations(fam, alg, enc, key)
        # One more with a p2c of our own minimum (10,000) set by the sender.
        jwe_case(fam, alg, "A128GCM", "compact", [key("a")], extra_protected={"p2c": 10000},
                 label=" p2c=10000")
    fam.write()


def make_zip():
    fam = Family("jwe-zip.json", "JWE zip DEF (raw DEFLATE before encryption) with a few algs")
    rsa = ("test-fixture-rsa-2048-a", dict(kty="RSA", size=2048))
    cases = [
        ("RSA-OAEP-256", "A256GCM", rsa),
        ("A256KW", "A128CBC-HS256", ("test-fixture-a256kw-a", dict(kty="oct", size=256))),
        ("dir", "A256GCM", ("test-fixture-dir-a256gcm-a", dict(kty="oct", size=256))),
        ("ECDH-ES+A128KW", "A256GCM", ("test-fixture-p-256-a", dict(kty="EC", crv="P-256"))),
        ("ECDH-ES", "A192CBC-HS384", ("test-fixture-x25519-a", dict(kty="OKP", crv="X25519"))),
        ("A128GCMKW", "A192GCM", ("test-fixture-a128gcmkw-a", dict(kty="oct", size=128))),
    ]
    for alg, enc, (kid, params) in cases:
        k = fam.key(kid, **params)
        for ser in ["compact", "flattened"]:
            jwe_case(fam, alg, enc, ser, [(k, kid)], zip_=True)
    fam.write()


def main():
    os.makedirs(OUT, exist_ok=True)
    print("jwcrypto %s, cryptography %s, %s" % (GENERATOR["jwcrypto"], GENERATOR["cryptography"],
                                                GENERATOR["openssl"]))
    make_jws()
    make_rsa_oaep()
    make_dir()
    make_aes("jwe-aes-kw.json", "JWE A128KW, A192KW, A256KW", ["A128KW", "A192KW", "A256KW"])
    make_aes("jwe-aes-gcm-kw.json", "JWE A128GCMKW, A192GCMKW, A256GCMKW",
             ["A128GCMKW", "A192GCMKW", "A256GCMKW"])
    make_ecdh()
    make_pbes2()
    make_zip()
    return 0


if __name__ == "__main__":
    sys.exit(main())
