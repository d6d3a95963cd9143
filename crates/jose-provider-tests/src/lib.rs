//! The conformance suite for jose-core crypto providers: one test per rule of the provider
//! contract ([`jose_core::provider`], "Contract for implementors"), for any implementation of
//! [`CryptoProvider`], [`PrivateKeyOps`](jose_core::PrivateKeyOps) and
//! [`PublicKeyOps`](jose_core::PublicKeyOps).
//!
//! Both providers of this workspace (aws-lc-rs and RustCrypto) run it, and a third one (a KMS, an
//! HSM, another library) should too. The model is RustCrypto's `aead::dev` macros and rustls'
//! provider tests: a macro writes the tests, and each test is a plain function you can call.
//!
//! ```
//! // In a provider crate's tests/conformance.rs: one #[test] per rule, in a module named
//! // `conformance` (`conformance::sign::tampered_signatures_are_bad_signature`, ...). The argument
//! // is anything that coerces to `&dyn CryptoProvider`: `provider()`, `&MY_PROVIDER`, `&*arc`.
//! jose_provider_tests::conformance!(jose_crypto_awslc::provider());
//!
//! // Each rule is also a plain function. It returns when the provider keeps the rule and
//! // panics, naming the provider and what it did, when it does not.
//! jose_provider_tests::aead::open_failures_are_decryption_failed(jose_crypto_awslc::provider());
//!
//! // RULES lists every rule, in the order of the tests.
//! assert!(
//!     jose_provider_tests::RULES
//!         .iter()
//!         .any(|rule| rule.name == "aead::open_failures_are_decryption_failed")
//! );
//! ```
//!
//! # What the suite checks
//!
//! - [`basics`]: the provider's name, random bytes, SHA-256.
//! - [`sign`]: sign and verify for every asymmetric [`JwsAlgorithm`](jose_core::JwsAlgorithm)
//!   (EdDSA included); every signature that does not verify (tampered, wrong length, other
//!   scheme, out-of-range ECDSA scalars) is [`Error::BadSignature`]; an algorithm that does not
//!   fit the key is [`Error::InvalidKey`].
//! - [`agree`]: ECDH on P-256, P-384, P-521 and X25519, the same secret on both sides and
//!   OpenSSL's; foreign, off-curve and low-order peers are [`Error::InvalidKey`].
//! - [`hmac`]: HMAC-SHA-256/384/512 known answers (RFC 4231); every wrong tag is
//!   [`Error::BadSignature`].
//! - [`key_wrap`]: RSA-OAEP, RSA-OAEP-256, -384 and -512 round trips; every unwrap failure is
//!   [`Error::DecryptionFailed`].
//! - [`aead`]: AES-GCM round trips; every open failure is `DecryptionFailed`; a seal with a key or
//!   IV of the wrong length is [`Error::InvalidRequest`].
//! - [`symmetric`]: AES key wrap (RFC 3394 section 4 vectors, every KEK and key-data size),
//!   AES-CBC with PKCS#7 padding (NIST SP 800-38A F.2.1/F.2.3/F.2.5 and the padding block, every
//!   length from 0 to 33 bytes) and PBKDF2-HMAC-SHA-256/384/512 (RFC 7914 section 11 and
//!   `hashlib` answers); every unwrap and CBC decryption failure (tampered, wrong KEK, bad
//!   padding, wrong lengths) is `DecryptionFailed`; wrong input lengths on the wrap and encrypt
//!   side, and PBKDF2 parameters out of range, are [`Error::InvalidRequest`].
//! - [`keys`]: PKCS#8 and SPKI import and export, RSA below 2048 bits refused on import and
//!   generation, EC points on the curve and uncompressed, malformed DER refused, generation of
//!   every [`KeySpec`](jose_core::KeySpec), no key material in `Debug` output or error messages.
//! - [`vectors`]: known answers from RFC 7515, 7516, 7520 and 8037, OpenSSL and the GCM
//!   specification.
//!
//! The fixtures (test-only keys, signatures and ciphertexts, and the RFC vectors) are embedded, so
//! the suite runs from any crate; [`fixtures`] makes them available to a provider's own tests.
//!
//! A rule checks what the contract says, not how a provider words its messages: where a message is
//! checked at all, only for the facts every message must name (the algorithm, the sizes, the
//! curve). A provider's exact wording, and the formats it refuses beyond the contract, belong in
//! its own tests.

#![cfg_attr(docsrs, feature(doc_cfg))]
// This crate is a test harness: a rule that does not hold panics, that is how it is reported (as
// `assert!` does), and slicing test data by fixed offsets is the clearest way to tamper with it.
#![allow(clippy::panic, clippy::indexing_slicing)]

use jose_core::{CryptoProvider, Error};
use std::fmt::Display;

/// `assert!` with the provider's name in front of the message.
macro_rules! ensure {
    ($provider:expr, $cond:expr, $($message:tt)+) => {
        assert!(
            $cond,
            "provider {:?}: {}",
            $provider.name(),
            format_args!($($message)+)
        )
    };
}

/// `assert_eq!` with the provider's name in front of the message.
macro_rules! ensure_eq {
    ($provider:expr, $left:expr, $right:expr, $($message:tt)+) => {
        assert_eq!(
            $left,
            $right,
            "provider {:?}: {}",
            $provider.name(),
            format_args!($($message)+)
        )
    };
}

/// `assert_ne!` with the provider's name in front of the message.
macro_rules! ensure_ne {
    ($provider:expr, $left:expr, $right:expr, $($message:tt)+) => {
        assert_ne!(
            $left,
            $right,
            "provider {:?}: {}",
            $provider.name(),
            format_args!($($message)+)
        )
    };
}

pub mod aead;
pub mod agree;
pub mod basics;
pub mod fixtures;
pub mod hmac;
pub mod key_wrap;
pub mod keys;
pub mod sign;
pub mod symmetric;
pub mod vectors;

/// One rule of the provider contract, as [`RULES`] lists it.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// `module::function`, for example `"aead::open_failures_are_decryption_failed"`, the path of
    /// its function in this crate. The test [`conformance!`] writes for it is
    /// `conformance::module::function`.
    pub name: &'static str,
    /// Checks the rule on a provider: returns if the provider keeps it, panics with a message
    /// naming the provider and the breach if not.
    pub check: fn(&dyn CryptoProvider),
}

/// Calls `$callback!` with `{ $args }` and every rule, grouped by module:
/// `module { function, .. }`. This is the one list of rules: [`RULES`] and the tests of
/// [`conformance!`] are both made from it.
#[doc(hidden)]
#[macro_export]
macro_rules! __with_rules {
    ($callback:ident { $($args:tt)* }) => {
        $crate::$callback! {
            { $($args)* }
            basics {
                name_is_short_and_stable,
                fill_random_fills_with_fresh_bytes,
                sha256_known_answers,
                digest_known_answers,
            }
            sign {
                round_trip_every_algorithm,
                tampered_signatures_are_bad_signature,
                wrong_length_signatures_are_bad_signature,
                ecdsa_high_s_verifies_and_out_of_range_scalars_do_not,
                rsa_schemes_and_hashes_are_not_interchangeable,
                rsa_pkcs1_is_deterministic_and_pss_is_randomized,
                algorithm_must_fit_the_key,
                eddsa_is_deterministic,
                eddsa_small_order_points_are_bad_signature,
            }
            agree {
                both_sides_derive_the_same_secret,
                foreign_and_off_curve_peers_are_invalid_key,
                low_order_x25519_peers_are_invalid_key,
                keys_without_agreement_refuse,
                ephemeral_keys_agree,
            }
            hmac {
                rfc4231_known_answers,
                wrong_tags_are_bad_signature,
                hashes_are_distinct_and_deterministic,
            }
            key_wrap {
                round_trip_both_oaep_algorithms,
                oaep_variants_do_not_unwrap_each_other,
                wrap_refuses_a_cek_too_long_for_the_key,
                unwrap_failures_are_decryption_failed,
            }
            aead {
                round_trip_every_encryption,
                open_failures_are_decryption_failed,
                seal_with_a_wrong_key_or_iv_length_is_invalid_request,
                in_place_agrees_with_copying,
            }
            symmetric {
                aes_key_wrap_rfc3394_vectors,
                aes_key_wrap_round_trips,
                aes_key_unwrap_failures_are_decryption_failed,
                aes_key_wrap_input_checks_are_invalid_request,
                aes_cbc_known_answers,
                aes_cbc_round_trip_every_length,
                aes_cbc_decrypt_failures_are_decryption_failed,
                aes_cbc_encrypt_input_checks_are_invalid_request,
                pbkdf2_known_answers,
                pbkdf2_parameter_checks,
            }
            keys {
                export_import_round_trip,
                fixture_keys_import_and_export_the_same_der,
                ec_spki_is_uncompressed,
                ec_pkcs8_without_public_key_is_accepted,
                ec_pkcs8_with_a_foreign_public_key_is_refused,
                rsa_below_2048_bits_is_refused,
                rsa_public_exponent_must_be_odd_and_at_least_3,
                ec_points_must_be_on_the_curve_and_uncompressed,
                malformed_and_unsupported_keys_are_invalid_key,
                malformed_okp_keys_are_invalid_key,
                errors_never_show_key_material,
                debug_never_shows_key_material,
                generate_every_key_spec,
            }
            vectors {
                rfc7515_a2_rs256,
                rfc7515_a3_es256_and_a4_es512,
                rfc7520_4_2_ps384,
                rfc7516_a1_rsa_oaep_and_a256gcm,
                rfc8037_a1_to_a4_ed25519,
                rfc8037_a6_x25519,
                openssl_signatures,
                openssl_oaep_ciphertexts,
                gcm_spec_test_cases,
            }
        }
    };
}

/// Builds [`RULES`] from the list in [`__with_rules!`].
macro_rules! __rules_table {
    ({} $($module:ident { $($rule:ident),* $(,)? })*) => {
        /// Every rule of the suite, in the order [`conformance!`] writes its tests. To run them
        /// all without the macro: `for rule in RULES { (rule.check)(provider) }`.
        pub const RULES: &[Rule] = &[
            $($(Rule {
                name: concat!(stringify!($module), "::", stringify!($rule)),
                check: $module::$rule,
            },)*)*
        ];
    };
}
pub(crate) use __rules_table;

__with_rules!(__rules_table {});

/// Writes one `#[test]` per rule of the suite for a provider.
///
/// `conformance!(provider)` writes them in a module `conformance`; `conformance!(name, provider)`
/// names the module (to run the suite on two configurations of a provider in one file).
/// `provider` is an expression that coerces to `&dyn CryptoProvider`, evaluated once per test:
/// `my_crate::provider()`, `&MY_PROVIDER`, `&MyProvider::new()`, `&*arc`. It may use the names in
/// scope where the macro is called.
///
/// The rule `module::function` becomes the test `conformance::module::function`, which calls the
/// function of this crate: `conformance::aead::open_failures_are_decryption_failed` calls
/// [`aead::open_failures_are_decryption_failed`]. `cargo test conformance::aead` runs one group.
///
/// ```
/// // tests/conformance.rs of a provider crate
/// jose_provider_tests::conformance!(jose_crypto_awslc::provider());
/// // The same provider through a static, in a module of its own.
/// jose_provider_tests::conformance!(aws_lc_static, &jose_crypto_awslc::AWS_LC);
/// ```
#[macro_export]
macro_rules! conformance {
    ($name:ident, $provider:expr $(,)?) => {
        $crate::__with_rules!(__conformance_tests { $name, $provider });
    };
    ($provider:expr $(,)?) => {
        $crate::__with_rules!(__conformance_tests {
            conformance,
            $provider
        });
    };
}

/// Writes the tests of [`conformance!`] from the list in [`__with_rules!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    (
        { $name:ident, $provider:expr }
        $($module:ident { $($rule:ident),* $(,)? })*
    ) => {
        /// The jose-provider-tests conformance suite: one test per rule of the provider contract.
        mod $name {
            $(
                mod $module {
                    // The provider expression may name what is in scope where the macro is called.
                    #[allow(unused_imports)]
                    use super::super::*;

                    $(
                        #[test]
                        fn $rule() {
                            let provider: &dyn $crate::__CryptoProvider = $provider;
                            $crate::$module::$rule(provider);
                        }
                    )*
                }
            )*
        }
    };
}

#[doc(hidden)]
pub use jose_core::CryptoProvider as __CryptoProvider;

/// The message prefix of every failure: which provider.
fn who(provider: &dyn CryptoProvider) -> String {
    format!("provider {:?}", provider.name())
}

/// The value of `result`, or a panic naming the provider, `what` was done and the error.
#[track_caller]
fn ok<T>(provider: &dyn CryptoProvider, result: Result<T, Error>, what: impl Display) -> T {
    match result {
        Ok(value) => value,
        Err(error) => panic!(
            "{}: {what}: expected success, got Err({error:?}) ({error})",
            who(provider)
        ),
    }
}

/// Panics unless `result` is exactly `Err(expected)`.
#[track_caller]
fn fails_with<T>(
    provider: &dyn CryptoProvider,
    result: Result<T, Error>,
    expected: &Error,
    what: impl Display,
) {
    match result {
        Err(error) if error == *expected => {}
        Err(error) => panic!(
            "{}: {what}: expected Err({expected:?}), got Err({error:?})",
            who(provider)
        ),
        Ok(_) => panic!(
            "{}: {what}: expected Err({expected:?}), got Ok(..)",
            who(provider)
        ),
    }
}

/// Panics unless `result` is [`Error::InvalidKey`] with a non-empty `expected` and `found`;
/// returns them.
#[track_caller]
fn invalid_key<T>(
    provider: &dyn CryptoProvider,
    result: Result<T, Error>,
    what: impl Display,
) -> (String, String) {
    match result {
        Err(Error::InvalidKey { expected, found }) => {
            ensure!(
                provider,
                !expected.is_empty() && !found.is_empty(),
                "{what}: InvalidKey must say what was expected and what was found, got \
                 expected {expected:?}, found {found:?}"
            );
            (expected, found)
        }
        Err(error) => panic!(
            "{}: {what}: expected Err(InvalidKey {{ .. }}), got Err({error:?})",
            who(provider)
        ),
        Ok(_) => panic!(
            "{}: {what}: expected Err(InvalidKey {{ .. }}), got Ok(..)",
            who(provider)
        ),
    }
}

/// Panics unless `result` is [`Error::InvalidKey`] whose `expected` names each of `expected` and
/// whose `found` names each of `found`.
#[track_caller]
fn invalid_key_naming<T>(
    provider: &dyn CryptoProvider,
    result: Result<T, Error>,
    expected: &[&str],
    found: &[&str],
    what: impl Display,
) {
    let (expected_text, found_text) = invalid_key(provider, result, &what);
    for (field, text, needles) in [
        ("expected", &expected_text, expected),
        ("found", &found_text, found),
    ] {
        for needle in needles {
            ensure!(
                provider,
                text.contains(needle),
                "{what}: InvalidKey's `{field}` must name {needle:?}, got expected \
                 {expected_text:?}, found {found_text:?}"
            );
        }
    }
}

/// Panics unless `result` is [`Error::InvalidRequest`] whose message contains every one of
/// `needles`.
#[track_caller]
fn invalid_request_naming<T>(
    provider: &dyn CryptoProvider,
    result: Result<T, Error>,
    needles: &[&str],
    what: impl Display,
) {
    match result {
        Err(Error::InvalidRequest(message)) => {
            for needle in needles {
                ensure!(
                    provider,
                    message.contains(needle),
                    "{what}: the InvalidRequest message must name {needle:?}, found {message:?}"
                );
            }
        }
        Err(error) => panic!(
            "{}: {what}: expected Err(InvalidRequest(..)), got Err({error:?})",
            who(provider)
        ),
        Ok(_) => panic!(
            "{}: {what}: expected Err(InvalidRequest(..)), got Ok(..)",
            who(provider)
        ),
    }
}

/// `bytes` with the bits of `mask` flipped at `index`.
fn flipped(bytes: &[u8], index: usize, mask: u8) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[index] ^= mask;
    out
}

/// `bytes` followed by `tail`.
fn joined(bytes: &[u8], tail: &[u8]) -> Vec<u8> {
    [bytes, tail].concat()
}
