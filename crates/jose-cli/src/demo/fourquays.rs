//! The demo's 4Quays section, run from [`super::SECTIONS`].

use super::Demo;
use crate::error::{CliError, Result};
use crate::fourquays::{cli_error, field};
use jose::{ContentEncryption, DecryptingKey, KeyManagementAlgorithm, KeySpec, Limits, PrivateKey};
use jose_4quays::Operation;
use jose_4quays::client::Client;
use jose_4quays::engine::{
    ApiKey, DestinationKey, DestinationService, Engine, FailureMode, KeyOwnership, Policy,
};
use serde_json::{Value, json};

/// The demo's 4Quays section: on each provider, an engine with a managed destination and a
/// destination-managed one; protect, unprotect, passthrough, drop, the documented errors, a key
/// rotation, and a destination opening an envelope with its own key on the other provider.
pub(crate) fn demo(demo: &mut Demo) -> Result<()> {
    const API_KEY: &str = "sk_test_demo";
    const OTHER_API_KEY: &str = "sk_test_demo_other_tenant";
    let fail = |what: String| CliError::rejected(format!("demo: {what}"));
    let keys = demo.keys()?;
    let any = keys
        .first()
        .ok_or_else(|| fail("expected generated keys, found none".into()))?;
    // The destination that keeps its own key: one more RSA key, made once for the section.
    let acme_der =
        PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, any.provider)?.to_pkcs8_der()?;
    for (index, pk) in keys.iter().enumerate() {
        let provider = pk.provider;
        let name = provider.name();
        let other = keys.get(index.saturating_add(1) % keys.len()).unwrap_or(pk);
        let rbc_1 = PrivateKey::from_der(&pk.rsa.to_pkcs8_der()?, provider)?;
        let rbc_2 = PrivateKey::from_der(&other.rsa.to_pkcs8_der()?, provider)?;
        let acme = PrivateKey::from_der(&acme_der, provider)?;
        let mut api_key =
            ApiKey::from_secret("demo-partner", API_KEY, "RBC-TRANSFER-001", provider);
        for policy in [
            "PAUSED-PASSTHROUGH",
            "PAUSED-DROP",
            "SUSPENDED",
            "ACME-PAYOUT-001",
        ] {
            api_key = api_key.allow(policy);
        }
        let engine = Engine::builder(provider)
            .service(
                DestinationService::new("rbc")
                    .active_key(DestinationKey::managed("rbc-1", rbc_1).map_err(cli_error)?),
            )
            .service(DestinationService::new("acme").active_key(
                DestinationKey::public_only("acme-1", acme.public_key()).map_err(cli_error)?,
            ))
            .policy(Policy::new("RBC-TRANSFER-001", "rbc"))
            // Another tenant's policy on the same destination service and keys.
            .policy(Policy::new("OTHER-TENANT-001", "rbc"))
            .policy(Policy::new("PAUSED-PASSTHROUGH", "rbc").inactive(FailureMode::Passthrough))
            .policy(Policy::new("PAUSED-DROP", "rbc").inactive(FailureMode::Drop))
            .policy(Policy::new("SUSPENDED", "rbc").inactive(FailureMode::Error))
            .policy(
                Policy::new("ACME-PAYOUT-001", "acme").ownership(KeyOwnership::DestinationManaged),
            )
            .api_key(api_key)
            .api_key(ApiKey::from_secret(
                "other-partner",
                OTHER_API_KEY,
                "OTHER-TENANT-001",
                provider,
            ))
            .build()
            .map_err(cli_error)?;
        let client = Client::new("http://localhost", API_KEY).map_err(cli_error)?;
        let other_client = Client::new("http://localhost", OTHER_API_KEY).map_err(cli_error)?;
        let ask_as =
            |client: &Client, operation: Operation, body: &Value| -> Result<(u16, Value)> {
                let request = client
                    .request(operation, body.to_string().into_bytes(), None)
                    .map_err(cli_error)?;
                let handled = engine.handle(operation, &request);
                let status = handled.response.status().as_u16();
                let value = serde_json::from_slice(handled.response.body())
                    .map_err(|e| fail(format!("expected a JSON answer, found {e}")))?;
                Ok((status, value))
            };
        let ask = |operation: Operation, body: &Value| ask_as(&client, operation, body);
        let expect = |what: &str, got: &(u16, Value), status: u16| -> Result<()> {
            if got.0 == status {
                Ok(())
            } else {
                Err(fail(format!(
                    "{what}: expected HTTP {status}, found {} {}",
                    got.0, got.1
                )))
            }
        };
        let payload = json!({"transferId": "txn-12345", "amount": 5000, "currency": "CAD", "destination": "CA1234567890"});

        let protected = ask(Operation::Protect, &json!({"payload": payload}))?;
        expect("protect", &protected, 200)?;
        let jwe = field(&protected.1, "jwe").clone();
        let header = jose::b64::decode(
            "protected",
            field(&jwe, "protected").as_str().unwrap_or_default(),
        )?;
        demo.step(name, format_args!(
            "protect under RBC-TRANSFER-001: 200, operations {}, JWE flattened JSON with header {}",
            field(&protected.1, "operations"), String::from_utf8_lossy(&header)
        ));
        let opened = ask(Operation::Unprotect, &json!({"jwe": jwe}))?;
        expect("unprotect", &opened, 200)?;
        if *field(&opened.1, "payload") != payload {
            return Err(fail(
                "expected unprotect to return the protected payload, found another".into(),
            ));
        }
        demo.step(
            name,
            format_args!(
                "unprotect: 200, operations {}, payload back unchanged",
                field(&opened.1, "operations")
            ),
        );
        let stolen = ask_as(&other_client, Operation::Unprotect, &json!({"jwe": jwe}))?;
        expect("another tenant's unprotect", &stolen, 500)?;
        demo.step(
            name,
            format_args!(
                "another tenant (other-partner, OTHER-TENANT-001 on the same rbc keys) sends that JWE to unprotect: 500 {}; the envelope is bound to RBC-TRANSFER-001",
                field(field(&stolen.1, "error"), "code")
            ),
        );

        let passthrough = ask(
            Operation::Protect,
            &json!({"payload": payload, "policyNumber": "PAUSED-PASSTHROUGH"}),
        )?;
        expect("passthrough", &passthrough, 200)?;
        demo.step(
            name,
            format_args!(
                "protect under inactive PAUSED-PASSTHROUGH: 200, payload returned, warning {}",
                field(&passthrough.1, "warning")
            ),
        );
        let dropped = ask(
            Operation::Protect,
            &json!({"payload": payload, "policyNumber": "PAUSED-DROP"}),
        )?;
        expect("drop", &dropped, 200)?;
        demo.step(
            name,
            format_args!(
                "protect under inactive PAUSED-DROP: 200, dropped {}, message {}",
                field(&dropped.1, "dropped"),
                field(&dropped.1, "message")
            ),
        );
        for (what, operation, body, status) in [
            (
                "inactive SUSPENDED",
                Operation::Protect,
                json!({"payload": 1, "policyNumber": "SUSPENDED"}),
                403,
            ),
            (
                "unknown policy",
                Operation::Protect,
                json!({"payload": 1, "policyNumber": "INVALID-POLICY"}),
                404,
            ),
            (
                "no payload and a numeric policyNumber",
                Operation::Protect,
                json!({"policyNumber": 7}),
                400,
            ),
            (
                "destination-managed ACME-PAYOUT-001",
                Operation::Unprotect,
                json!({"jwe": jwe, "policyNumber": "ACME-PAYOUT-001"}),
                400,
            ),
        ] {
            let answer = ask(operation, &body)?;
            expect(what, &answer, status)?;
            demo.step(
                name,
                format_args!(
                    "{operation} with {what}: {status} {}",
                    field(&answer.1, "error")
                ),
            );
        }

        // Rotation: rbc-2 becomes active; the JWE made with rbc-1 still opens.
        engine
            .rotate_key(
                "rbc",
                DestinationKey::managed("rbc-2", rbc_2).map_err(cli_error)?,
            )
            .map_err(cli_error)?;
        let after = ask(Operation::Protect, &json!({"payload": "after rotation"}))?;
        expect("protect after rotation", &after, 200)?;
        let kid_after = kid_of(field(&after.1, "jwe"));
        let old = ask(Operation::Unprotect, &json!({"jwe": jwe}))?;
        expect("unprotect of the pre-rotation JWE", &old, 200)?;
        let new = ask(
            Operation::Unprotect,
            &json!({"jwe": field(&after.1, "jwe")}),
        )?;
        expect("unprotect of the post-rotation JWE", &new, 200)?;
        if *field(&old.1, "payload") != payload || kid_after != "rbc-2" {
            return Err(fail(format!(
                "expected the pre-rotation JWE to open and new JWEs to name rbc-2, found kid {kid_after:?}"
            )));
        }
        demo.step(name, format_args!(
            "rotation rbc-1 -> rbc-2: new JWEs carry kid {kid_after}; the JWE made with rbc-1 still unprotects to the same payload"
        ));

        // The destination-managed service: 4Quays encrypts, the bank decrypts on the other provider.
        let payout = json!({"payoutId": "po-1", "amount": 120.75});
        let sealed = ask(
            Operation::Protect,
            &json!({"payload": payout, "policyNumber": "ACME-PAYOUT-001"}),
        )?;
        expect("protect to acme", &sealed, 200)?;
        let envelope: jose_4quays::JweEnvelope =
            serde_json::from_value(field(&sealed.1, "jwe").clone())
                .map_err(|e| fail(format!("expected a JWE envelope, found {e}")))?;
        let bank_key = DecryptingKey::new(
            PrivateKey::from_der(&acme_der, other.provider)?,
            KeyManagementAlgorithm::RsaOaep,
        )?;
        let opened = jose_4quays::destination::open(
            &envelope,
            &[bank_key],
            &[ContentEncryption::A256Gcm],
            &Limits::default(),
            other.provider,
        )
        .map_err(cli_error)?;
        if opened != payout {
            return Err(fail(
                "expected the bank to read the payout, found another payload".into(),
            ));
        }
        demo.step(name, format_args!(
            "destination-managed ACME-PAYOUT-001: 4Quays on {name} encrypts to kid acme-1; the bank opens it with its own key on {}",
            other.name()
        ));
    }
    Ok(())
}

/// The `kid` of an envelope's protected header, for printing.
fn kid_of(jwe: &Value) -> String {
    jose::b64::decode(
        "protected",
        field(jwe, "protected").as_str().unwrap_or_default(),
    )
    .ok()
    .and_then(|h| serde_json::from_slice::<Value>(&h).ok())
    .and_then(|h| field(&h, "kid").as_str().map(str::to_owned))
    .unwrap_or_default()
}
