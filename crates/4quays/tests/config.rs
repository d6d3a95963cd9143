//! The TOML configuration: the generated example serves every documented behaviour over HTTP, and
//! every invalid entry is refused at load with an error that names it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::{TestServer, key, material};
use jose::{ContentEncryption, DecryptingKey, KeyManagementAlgorithm, Limits, PrivateKey};
use jose_4quays::config::{EXAMPLE_CONFIG_NAME, EXAMPLE_KEY_PREFIX, EXAMPLE_POLICIES, Example};
use jose_4quays::{
    AsyncClient, Config, ErrorCode, ProtectRequest, ProtectResponse, UnprotectRequest, destination,
};
use serde_json::json;
use std::path::Path;

fn write_example(dir: &Path, provider: &dyn jose::CryptoProvider) -> Example {
    let example = Example::generate(provider).unwrap();
    for file in &example.files {
        std::fs::write(dir.join(&file.name), file.contents.as_bytes()).unwrap();
    }
    example
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_config_serves() {
    let provider = jose::default_provider();
    let dir = tempfile::tempdir().unwrap();
    let example = write_example(dir.path(), provider);
    let names: Vec<&str> = example.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names[0], EXAMPLE_CONFIG_NAME);
    assert!(
        names[1..].iter().all(|n| n.starts_with(EXAMPLE_KEY_PREFIX)),
        "{names:?}"
    );
    assert!(example.files.iter().filter(|f| f.secret).count() >= 3);
    let config_text = example.files[0].contents.as_str();
    assert!(
        !config_text.contains(example.api_key.as_str()),
        "the config holds the hash only"
    );

    let (config, base) = Config::load(&dir.path().join(EXAMPLE_CONFIG_NAME)).unwrap();
    assert_eq!(config.server.listen.as_deref(), Some("127.0.0.1:8080"));
    let numbers: Vec<&str> = config.policies.iter().map(|p| p.number.as_str()).collect();
    let documented: Vec<&str> = EXAMPLE_POLICIES.iter().map(|(n, _)| *n).collect();
    assert_eq!(numbers, documented);
    let engine = config.engine(&base, provider).unwrap();
    let server = TestServer::start(engine).await;
    let client = AsyncClient::new(&server.base, &example.api_key).unwrap();

    let payload = json!({"transferId": "txn-12345", "amount": 5000});
    for policy in ["RBC-TRANSFER-001", "RBC-STATEMENT-001"] {
        let p = client
            .protect(&ProtectRequest::new(payload.clone()).policy(policy), None)
            .await
            .unwrap();
        let opened = client
            .unprotect(
                &UnprotectRequest::jwe(p.jwe().unwrap().clone()).policy(policy),
                None,
            )
            .await
            .unwrap();
        assert_eq!(opened.payload, payload);
    }
    let p = client
        .protect(
            &ProtectRequest::new(payload.clone()).policy("RBC-PAUSED-PASSTHROUGH"),
            None,
        )
        .await
        .unwrap();
    assert!(matches!(p, ProtectResponse::Passthrough(ref p) if p.payload == payload));
    let p = client
        .protect(
            &ProtectRequest::new(payload.clone()).policy("RBC-PAUSED-DROP"),
            None,
        )
        .await
        .unwrap();
    assert!(matches!(p, ProtectResponse::Dropped(_)));
    let e = client
        .protect(
            &ProtectRequest::new(payload.clone()).policy("RBC-SUSPENDED"),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(e.api_body().unwrap().error.code, ErrorCode::PolicyNotActive);

    // The destination-managed policy: the service encrypts, the destination decrypts with the
    // private key the example wrote for it; the service cannot unprotect.
    let p = client
        .protect(
            &ProtectRequest::new(payload.clone()).policy("ACME-PAYOUT-001"),
            None,
        )
        .await
        .unwrap();
    let envelope = p.jwe().unwrap().clone();
    let acme_file = example
        .files
        .iter()
        .find(|f| f.name.contains("acme") && f.name.contains("private"))
        .unwrap();
    let acme_pem = std::fs::read_to_string(dir.path().join(&acme_file.name)).unwrap();
    let acme = DecryptingKey::new(
        PrivateKey::from_pem(&acme_pem, provider).unwrap(),
        KeyManagementAlgorithm::RsaOaep,
    )
    .unwrap();
    let opened = destination::open(
        &envelope,
        &[acme],
        &[ContentEncryption::A256Gcm],
        &Limits::default(),
        provider,
    )
    .unwrap();
    assert_eq!(opened, payload);
    let e = client
        .unprotect(
            &UnprotectRequest::jwe(envelope).policy("ACME-PAYOUT-001"),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.api_body().unwrap().error.code,
        ErrorCode::UnprotectNotAvailable
    );
    // A wrong API key.
    let stranger = AsyncClient::new(&server.base, "sk_test_not_configured").unwrap();
    let e = stranger
        .protect(&ProtectRequest::new(json!(1)), None)
        .await
        .unwrap_err();
    assert_eq!(
        e.api_body().unwrap().error.code,
        ErrorCode::AuthenticationFailed
    );
    server.stop().await;
}

/// A directory with the test keys as PEM files: `managed.pem` (private), `public.pem`, `ec.pem`.
fn key_dir() -> tempfile::TempDir {
    let provider = jose::default_provider();
    let dir = tempfile::tempdir().unwrap();
    let private = key(&material().rbc_1, provider);
    std::fs::write(
        dir.path().join("managed.pem"),
        private.to_pkcs8_pem().unwrap().as_bytes(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("public.pem"),
        private.public_key().to_spki_pem().unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("managed.jwk"),
        private.to_jwk().unwrap().to_json(),
    )
    .unwrap();
    let ec = PrivateKey::generate(jose::KeySpec::Ec(jose::EcCurve::P256), provider).unwrap();
    std::fs::write(
        dir.path().join("ec.pem"),
        ec.to_pkcs8_pem().unwrap().as_bytes(),
    )
    .unwrap();
    dir
}

const HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn config(services: &str, policies: &str, api_keys: &str) -> String {
    format!("{services}\n{policies}\n{api_keys}\n")
}

const SERVICE: &str = "[[services]]\nid = \"bank\"\n[[services.keys]]\nkid = \"k1\"\nprivate_key = \"managed.pem\"\nactive = true\n";
const POLICY: &str = "[[policies]]\nnumber = \"P-1\"\nservice = \"bank\"\n";
const API_KEY_ENTRY: &str = "[[api_keys]]\nid = \"partner\"\nsha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"\ndefault_policy = \"P-1\"\n";

fn load(dir: &Path, text: &str) -> Result<jose_4quays::Engine, jose_4quays::Error> {
    let path = dir.join("4quays.toml");
    std::fs::write(&path, text).unwrap();
    let (config, base) = Config::load(&path)?;
    config.engine(&base, jose::default_provider())
}

#[test]
fn a_valid_config_loads_with_pem_and_jwk_keys() {
    let dir = key_dir();
    assert_eq!(API_KEY_ENTRY.matches(HASH).count(), 1);
    let engine = load(dir.path(), &config(SERVICE, POLICY, API_KEY_ENTRY)).unwrap();
    assert_eq!(
        engine.service("bank").unwrap().active().unwrap().kid(),
        "k1"
    );
    let jwk_service = SERVICE.replace("managed.pem", "managed.jwk");
    let engine = load(dir.path(), &config(&jwk_service, POLICY, API_KEY_ENTRY)).unwrap();
    assert!(
        engine
            .service("bank")
            .unwrap()
            .active()
            .unwrap()
            .private_key()
            .is_some()
    );
    let public_service = SERVICE.replace(
        "private_key = \"managed.pem\"",
        "public_key = \"public.pem\"",
    );
    let engine = load(dir.path(), &config(&public_service, POLICY, API_KEY_ENTRY)).unwrap();
    assert!(
        engine
            .service("bank")
            .unwrap()
            .active()
            .unwrap()
            .private_key()
            .is_none()
    );
    let policy = engine.policy("P-1").unwrap();
    assert!(policy.active);
    assert_eq!(policy.alg, KeyManagementAlgorithm::RsaOaep);
    assert_eq!(policy.enc, ContentEncryption::A256Gcm);
}

#[test]
fn every_invalid_entry_is_named() {
    let dir = key_dir();
    let retired = "[[services.keys]]\nkid = \"k0\"\npublic_key = \"public.pem\"\n";
    let second_active =
        "[[services.keys]]\nkid = \"k2\"\npublic_key = \"public.pem\"\nactive = true\n";
    let cases: Vec<(String, &str)> = vec![
        (
            config(
                SERVICE,
                &POLICY.replace("\"bank\"", "\"nobank\""),
                API_KEY_ENTRY,
            ),
            "policies[\"P-1\"]",
        ),
        (
            config(&format!("{SERVICE}{second_active}"), POLICY, API_KEY_ENTRY),
            "services[\"bank\"].keys[\"k2\"]",
        ),
        (
            config(
                &format!("{SERVICE}{}", retired.replace("k0", "k1")),
                POLICY,
                API_KEY_ENTRY,
            ),
            "services[\"bank\"].keys[\"k1\"]",
        ),
        (
            config(&format!("{SERVICE}{SERVICE}"), POLICY, API_KEY_ENTRY),
            "services[\"bank\"]",
        ),
        (
            config(SERVICE, &format!("{POLICY}{POLICY}"), API_KEY_ENTRY),
            "policies[\"P-1\"]",
        ),
        (
            config(SERVICE, POLICY, &API_KEY_ENTRY.replace(HASH, "abc")),
            "api_keys[\"partner\"].sha256",
        ),
        (
            config(
                SERVICE,
                POLICY,
                &API_KEY_ENTRY.replace("\"P-1\"", "\"P-9\""),
            ),
            "api_keys[\"partner\"]",
        ),
        (
            config(
                SERVICE,
                POLICY,
                &format!("{API_KEY_ENTRY}policies = [\"P-2\"]\n"),
            ),
            "api_keys[\"partner\"]",
        ),
        (
            config(
                SERVICE,
                POLICY,
                &format!(
                    "{API_KEY_ENTRY}{}",
                    API_KEY_ENTRY.replace("partner", "other")
                ),
            ),
            "api_keys[\"other\"]",
        ),
        (
            config(
                &SERVICE.replace("managed.pem", "missing.pem"),
                POLICY,
                API_KEY_ENTRY,
            ),
            "missing.pem",
        ),
        (
            config(
                &SERVICE.replace("managed.pem", "ec.pem"),
                POLICY,
                API_KEY_ENTRY,
            ),
            "services[\"bank\"].keys[\"k1\"]",
        ),
        (
            config(
                &SERVICE.replace("managed.pem", "public.pem"),
                POLICY,
                API_KEY_ENTRY,
            ),
            "services[\"bank\"].keys[\"k1\"]",
        ),
        (
            config(
                &SERVICE.replace(
                    "private_key = \"managed.pem\"",
                    "private_key = \"managed.pem\"\npublic_key = \"public.pem\"",
                ),
                POLICY,
                API_KEY_ENTRY,
            ),
            "services[\"bank\"].keys[\"k1\"]",
        ),
        (
            config(
                &SERVICE.replace("private_key = \"managed.pem\"\n", ""),
                POLICY,
                API_KEY_ENTRY,
            ),
            "services[\"bank\"].keys[\"k1\"]",
        ),
        (
            config(
                SERVICE,
                &format!("{POLICY}alg = \"RSA1_5\"\n"),
                API_KEY_ENTRY,
            ),
            "policies[\"P-1\"].alg",
        ),
        (
            config(
                SERVICE,
                &format!("{POLICY}enc = \"A512GCM\"\n"),
                API_KEY_ENTRY,
            ),
            "policies[\"P-1\"].enc",
        ),
        (
            config(
                SERVICE,
                &format!("{POLICY}failure_mode = \"ignore\"\n"),
                API_KEY_ENTRY,
            ),
            "line 11, column 16",
        ),
        (
            config(
                SERVICE,
                &format!("{POLICY}colour = \"blue\"\n"),
                API_KEY_ENTRY,
            ),
            "colour",
        ),
        (
            format!(
                "[server]\nmax_body_bytes = 0\n{}",
                config(SERVICE, POLICY, API_KEY_ENTRY)
            ),
            "server.max_body_bytes",
        ),
    ];
    for (text, named) in cases {
        let error = load(dir.path(), &text)
            .err()
            .unwrap_or_else(|| panic!("accepted:\n{text}"));
        let message = error.to_string();
        assert!(
            message.contains(named),
            "expected {named:?} in: {message}\n{text}"
        );
        assert!(!message.contains("PRIVATE KEY"), "{message}");
    }
}
