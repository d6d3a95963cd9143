//! proptest: any change to the method, the path, a signed header's value or a body byte makes
//! verification fail; the case of header names and the order of the request's headers do not.
//! Signed on one provider, verified on both.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::{KID, fixture_key, fixture_public_pem};
use jose::CryptoProvider;
use jose_truelayer_signing::{
    Error, Es512SigningKey, Signer, TimestampProblem, Verifier, WebhookFreshness,
};
use proptest::prelude::*;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

/// The fixture key on each provider (imported once).
fn keys() -> &'static [(&'static dyn CryptoProvider, Es512SigningKey)] {
    static KEYS: OnceLock<Vec<(&'static dyn CryptoProvider, Es512SigningKey)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        jose::providers()
            .into_iter()
            .map(|p| (p, fixture_key(p)))
            .collect()
    })
}

#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    /// Signed headers (distinct names, ASCII case-insensitively).
    signed: Vec<(String, String)>,
    /// Other headers the request carries.
    unsigned: Vec<(String, String)>,
    body: Vec<u8>,
}

fn request() -> impl Strategy<Value = Request> {
    (
        0..METHODS.len(),
        prop::collection::vec("[a-z0-9_.-]{1,10}", 1..4),
        prop::collection::btree_map("[A-Za-z][A-Za-z0-9-]{0,10}", "[ -~]{0,24}", 0..4),
        prop::collection::vec("[ -~]{0,12}", 0..3),
        prop::collection::vec(any::<u8>(), 0..96),
    )
        .prop_map(|(m, segments, signed, unsigned, body)| {
            // Distinct names case-insensitively.
            let mut names: Vec<(String, String)> = Vec::new();
            for (n, v) in signed {
                if !names.iter().any(|(k, _)| k.eq_ignore_ascii_case(&n)) {
                    names.push((n, v));
                }
            }
            Request {
                method: METHODS[m].to_owned(),
                path: format!("/{}", segments.join("/")),
                unsigned: unsigned
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (format!("X-Unsigned-{i}"), v))
                    .collect(),
                signed: names,
                body,
            }
        })
}

fn sign(r: &Request, key: &Es512SigningKey) -> String {
    // Any set of headers, with or without an Idempotency-Key: signed as a webhook.
    let mut signer = Signer::webhook(KID)
        .method(&r.method)
        .path(&r.path)
        .body(&r.body);
    for (n, v) in &r.signed {
        signer = signer.header(n, v);
    }
    signer.sign(key).unwrap()
}

/// Verifies `sig` on `provider` against a request with these headers, in this order.
fn verify(
    provider: &'static dyn CryptoProvider,
    sig: &str,
    method: &str,
    path: &str,
    headers: &[(String, Vec<u8>)],
    body: &[u8],
) -> Result<(), Error> {
    let pem = fixture_public_pem();
    Verifier::from_pem(&pem, provider)
        .unwrap()
        .method(method)
        .path(path)
        .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_slice())))
        .body(body)
        .verify(sig)
        .map(|_| ())
}

fn all_headers(r: &Request) -> Vec<(String, Vec<u8>)> {
    r.signed
        .iter()
        .chain(r.unsigned.iter())
        .map(|(n, v)| (n.clone(), v.clone().into_bytes()))
        .collect()
}

/// Flips the case of the letters chosen by `mask`.
fn recase(name: &str, mask: u64) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                if c.is_ascii_uppercase() {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                }
            } else {
                c
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn tampering_fails_and_case_and_order_do_not(
        r in request(),
        signer_index in 0usize..2,
        case_mask in any::<u64>(),
        shuffle_seed in any::<u64>(),
        new_method in 0..METHODS.len(),
        path_index in any::<prop::sample::Index>(),
        path_char in "[a-z0-9_.-]",
        header_index in any::<prop::sample::Index>(),
        value_suffix in "[ -~]{1,4}",
        body_index in any::<prop::sample::Index>(),
        body_xor in 1u8..=255,
    ) {
        let keys = keys();
        let (_, key) = &keys[signer_index % keys.len()];
        let sig = sign(&r, key);
        let headers = all_headers(&r);
        for (provider, _) in keys {
            let provider = *provider;
            // As signed: verifies.
            prop_assert!(verify(provider, &sig, &r.method, &r.path, &headers, &r.body).is_ok());

            // Header-name case and request header order do not matter.
            let mut reordered: Vec<(String, Vec<u8>)> = headers
                .iter()
                .enumerate()
                .map(|(i, (n, v))| (recase(n, case_mask.rotate_left(i as u32)), v.clone()))
                .collect();
            let len = reordered.len();
            if len > 1 {
                let mut seed = shuffle_seed;
                for i in (1..len).rev() {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    let j = (seed >> 33) as usize % (i + 1);
                    reordered.swap(i, j);
                }
            }
            prop_assert!(verify(provider, &sig, &r.method.to_lowercase(), &r.path, &reordered, &r.body).is_ok());

            // Another method.
            let method = METHODS[new_method];
            if method != r.method {
                prop_assert_eq!(
                    verify(provider, &sig, method, &r.path, &headers, &r.body),
                    Err(Error::BadSignature)
                );
            }

            // Another path: one character replaced (not the leading '/').
            let chars: Vec<char> = r.path.chars().collect();
            let at = 1 + path_index.index(chars.len() - 1);
            let replacement = path_char.chars().next().unwrap();
            if chars[at] != replacement && chars[at] != '/' {
                let mut changed = chars.clone();
                changed[at] = replacement;
                let path: String = changed.into_iter().collect();
                prop_assert_eq!(
                    verify(provider, &sig, &r.method, &path, &headers, &r.body),
                    Err(Error::BadSignature)
                );
            }
            // And a path with a segment appended.
            let longer = format!("{}/x", r.path);
            prop_assert_eq!(
                verify(provider, &sig, &r.method, &longer, &headers, &r.body),
                Err(Error::BadSignature)
            );

            // Any signed header's value.
            if !r.signed.is_empty() {
                let i = header_index.index(r.signed.len());
                let mut changed = headers.clone();
                changed[i].1.extend_from_slice(value_suffix.as_bytes());
                prop_assert_eq!(
                    verify(provider, &sig, &r.method, &r.path, &changed, &r.body),
                    Err(Error::BadSignature)
                );
            }

            // Any body byte (or one more byte for an empty body).
            let mut body = r.body.clone();
            if body.is_empty() {
                body.push(body_xor);
            } else {
                let i = body_index.index(body.len());
                body[i] ^= body_xor;
            }
            prop_assert_eq!(
                verify(provider, &sig, &r.method, &r.path, &headers, &body),
                Err(Error::BadSignature)
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Any bytes as an X-Tl-Webhook-Timestamp: no panic, and anything refused is refused as a
    /// webhook timestamp (class Rejected).
    #[test]
    fn any_timestamp_bytes_are_checked_without_panicking(
        bytes in prop::collection::vec(any::<u8>(), 0..80),
        text in "[0-9:.TZtz+ -]{0,40}",
    ) {
        let check = WebhookFreshness::new(Duration::MAX).as_of(SystemTime::UNIX_EPOCH);
        for input in [bytes.as_slice(), text.as_bytes()] {
            if let Err(e) = check.check(input) {
                prop_assert!(matches!(e, Error::WebhookTimestamp { .. }), "{e}");
                prop_assert!(e.is_rejection());
            }
        }
    }

    /// Every well-formed date-time is accepted with an unbounded tolerance, whatever its
    /// fraction, offset and letter case; a day past the month's end is malformed.
    #[test]
    fn well_formed_timestamps_parse(
        year in 0u32..=9999,
        month in 1u32..=12,
        day in 1u32..=28,
        hour in 0u32..=23,
        minute in 0u32..=59,
        second in 0u32..=60,
        fraction in prop::option::of("[0-9]{1,12}"),
        offset in prop::option::of((any::<bool>(), 0u32..=23, 0u32..=59)),
        lower in any::<bool>(),
    ) {
        let (t, z) = if lower { ('t', 'z') } else { ('T', 'Z') };
        let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
        let offset = match offset {
            None => z.to_string(),
            Some((plus, h, m)) => format!("{}{h:02}:{m:02}", if plus { '+' } else { '-' }),
        };
        let stamp = format!(
            "{year:04}-{month:02}-{day:02}{t}{hour:02}:{minute:02}:{second:02}{fraction}{offset}"
        );
        let check = WebhookFreshness::new(Duration::MAX).as_of(SystemTime::UNIX_EPOCH);
        prop_assert!(check.check(stamp.as_bytes()).is_ok(), "{stamp}");
        let bad_day = format!("{year:04}-{month:02}-32{t}{hour:02}:{minute:02}:{second:02}{z}");
        prop_assert!(
            matches!(
                check.check(bad_day.as_bytes()),
                Err(Error::WebhookTimestamp { problem: TimestampProblem::Malformed, .. })
            ),
            "{bad_day}"
        );
    }
}
