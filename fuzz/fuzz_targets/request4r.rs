//! Request4R: the gateway decrypting an untrusted request body, and the partner reading an
//! untrusted response (status, content type and body chosen by the fuzzer).
//!
//! Keys: the RaaS private key is test-only-rsa2048-b, the partner private key test-only-rsa2048-a.
//! Input: byte 0 picks gateway (even) or partner (odd); for the partner, bytes 1-2 are the status
//! and byte 3 picks the content type; the rest is the body.
#![no_main]

use std::sync::OnceLock;

use jose_request4r::{Gateway, OpeningKey, Partner};
use libfuzzer_sys::fuzz_target;

struct Sides {
    gateway: Gateway,
    partner: Partner,
}

fn sides() -> Option<&'static Sides> {
    static SIDES: OnceLock<Option<Sides>> = OnceLock::new();
    SIDES
        .get_or_init(|| {
            let fixture = jose_fuzz::aws_lc();
            let partner_key = OpeningKey::new(fixture.private.first()?.clone()).ok()?;
            let raas_key = OpeningKey::new(fixture.private.get(1)?.clone()).ok()?;
            Some(Sides {
                gateway: Gateway::new(raas_key.clone(), partner_key.sealing_key()),
                partner: Partner::new(raas_key.sealing_key(), partner_key),
            })
        })
        .as_ref()
}

const CONTENT_TYPES: [&str; 4] = [
    "application/jose",
    "application/json",
    "text/plain",
    "application/jose; charset=utf-8",
];

fuzz_target!(|data: &[u8]| {
    let Some(sides) = sides() else {
        return;
    };
    let provider = jose_fuzz::aws_lc().provider;
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    if selector % 2 == 0 {
        let Ok(request) =
            http::Request::post("https://raas.example/v1/partners/request4r/auth/register-user-v2")
                .header("api_key", "fuzz")
                .body(rest.to_vec())
        else {
            return;
        };
        if let Err(error) = sides.gateway.decrypt_request(request, provider) {
            let _ = error.to_gateway_response();
        }
    } else {
        let (Some(high), Some(low), Some(kind)) = (rest.first(), rest.get(1), rest.get(2)) else {
            return;
        };
        let status = 100 + (u16::from(*high) << 8 | u16::from(*low)) % 500;
        let body = rest.get(3..).unwrap_or_default().to_vec();
        let Ok(response) = http::Response::builder()
            .status(status)
            .header(
                "content-type",
                CONTENT_TYPES[usize::from(*kind) % CONTENT_TYPES.len()],
            )
            .body(body)
        else {
            return;
        };
        let _ = sides.partner.decrypt_response(response, provider);
    }
});
