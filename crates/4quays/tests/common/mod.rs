//! Shared fixtures of the integration tests: RSA keys generated once per test binary, the test
//! engine's configuration, a running service on 127.0.0.1 (port 0), and a raw HTTP helper.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use jose::{
    ContentEncryption, CryptoProvider, KeyManagementAlgorithm, KeySpec, PrivateKey, PrivateKeyOps,
    PublicKeyOps,
};
use jose_4quays::engine::{
    ApiKey, AuditRecord, DestinationKey, DestinationService, Engine, FailureMode, KeyOwnership,
    Policy,
};
use jose_4quays::server::{AuditSink, Service, Settings};
use serde_json::Value;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use zeroize::Zeroizing;

/// The API key allowed every test policy (default RBC-TRANSFER-001).
pub const API_KEY: &str = "sk_test_partner_0123456789";
/// An API key allowed only RBC-TRANSFER-001.
pub const LIMITED_KEY: &str = "sk_test_limited_0123456789";
/// The request id the tests send.
pub const REQUEST_ID: &str = "req_abc123";

/// Every policy of the test engine.
pub const POLICIES: &[&str] = &[
    "RBC-TRANSFER-001",
    "RBC-STATEMENT-001",
    "RBC-A128",
    "PAUSED-PASSTHROUGH",
    "PAUSED-DROP",
    "SUSPENDED",
    "ACME-PAYOUT-001",
    "NOKEYS-001",
    "HALF-001",
];

/// Test keys as PKCS#8 DER: generated once per test binary (RSA keygen is slow), imported on each
/// provider as needed.
pub struct KeyMaterial {
    pub rbc_1: Zeroizing<Vec<u8>>,
    pub rbc_2: Zeroizing<Vec<u8>>,
    pub acme: Zeroizing<Vec<u8>>,
}

pub fn material() -> &'static KeyMaterial {
    static KEYS: OnceLock<KeyMaterial> = OnceLock::new();
    KEYS.get_or_init(|| {
        let provider = jose::provider_by_name("aws-lc").unwrap();
        let gen_key = || {
            PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)
                .unwrap()
                .to_pkcs8_der()
                .unwrap()
        };
        KeyMaterial {
            rbc_1: gen_key(),
            rbc_2: gen_key(),
            acme: gen_key(),
        }
    })
}

/// A test key on `provider`.
pub fn key(der: &[u8], provider: &dyn CryptoProvider) -> PrivateKey {
    PrivateKey::from_der(der, provider).unwrap()
}

/// The test engine on `provider`:
/// - service `rbc`: managed key `rbc-1` (active);
/// - service `acme`: public key `acme-1` only (active), for a destination-managed policy;
/// - service `nokeys`: no key at all; service `half`: an active key without its private half;
/// - the policies of [`POLICIES`]; API keys [`API_KEY`] (all) and [`LIMITED_KEY`] (default only).
pub fn engine(provider: &'static dyn CryptoProvider) -> Engine {
    engine_with_body_limit(provider, 64 * 1024)
}

pub fn engine_with_body_limit(provider: &'static dyn CryptoProvider, max_body: usize) -> Engine {
    let m = material();
    let acme_public = key(&m.acme, provider).public_key();
    let half_public = key(&m.rbc_2, provider).public_key();
    let mut partner = ApiKey::from_secret("partner", API_KEY, "RBC-TRANSFER-001", provider);
    for p in POLICIES {
        partner = partner.allow(*p);
    }
    Engine::builder(provider)
        .max_body_bytes(max_body)
        .service(
            DestinationService::new("rbc")
                .active_key(DestinationKey::managed("rbc-1", key(&m.rbc_1, provider)).unwrap()),
        )
        .service(
            DestinationService::new("acme")
                .active_key(DestinationKey::public_only("acme-1", acme_public).unwrap()),
        )
        .service(DestinationService::new("nokeys"))
        .service(
            DestinationService::new("half")
                .active_key(DestinationKey::public_only("half-1", half_public).unwrap()),
        )
        .policy(Policy::new("RBC-TRANSFER-001", "rbc"))
        .policy(Policy::new("RBC-STATEMENT-001", "rbc").alg(KeyManagementAlgorithm::RsaOaep256))
        .policy(Policy::new("RBC-A128", "rbc").enc(ContentEncryption::A128Gcm))
        .policy(Policy::new("PAUSED-PASSTHROUGH", "rbc").inactive(FailureMode::Passthrough))
        .policy(Policy::new("PAUSED-DROP", "rbc").inactive(FailureMode::Drop))
        .policy(Policy::new("SUSPENDED", "rbc").inactive(FailureMode::Error))
        .policy(Policy::new("ACME-PAYOUT-001", "acme").ownership(KeyOwnership::DestinationManaged))
        .policy(Policy::new("NOKEYS-001", "nokeys"))
        .policy(Policy::new("HALF-001", "half"))
        .api_key(partner)
        .api_key(ApiKey::from_secret(
            "limited",
            LIMITED_KEY,
            "RBC-TRANSFER-001",
            provider,
        ))
        .build()
        .unwrap()
}

/// The `rbc-2` key for rotations.
pub fn rbc_2(provider: &dyn CryptoProvider) -> DestinationKey {
    DestinationKey::managed("rbc-2", key(&material().rbc_2, provider)).unwrap()
}

/// A provider whose random generator always fails (everything else is aws-lc): makes protect's
/// encryption fail, to produce the documented `INTERNAL_ERROR` of protect.
#[derive(Debug)]
pub struct NoRandom;

pub static NO_RANDOM: NoRandom = NoRandom;

pub fn aws() -> &'static dyn CryptoProvider {
    jose::provider_by_name("aws-lc").unwrap()
}

impl CryptoProvider for NoRandom {
    fn name(&self) -> &'static str {
        "no-random"
    }
    fn fill_random(&self, _dest: &mut [u8]) -> Result<(), jose::Error> {
        Err(jose::Error::Provider("the test RNG is switched off".into()))
    }
    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        aws().sha256(data)
    }
    fn aead_seal(
        &self,
        enc: ContentEncryption,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<(Vec<u8>, [u8; 16]), jose::Error> {
        aws().aead_seal(enc, key, iv, aad, plaintext)
    }
    fn aead_open(
        &self,
        enc: ContentEncryption,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, jose::Error> {
        aws().aead_open(enc, key, iv, aad, ciphertext, tag)
    }
    fn import_private_pkcs8(&self, der: &[u8]) -> Result<Arc<dyn PrivateKeyOps>, jose::Error> {
        aws().import_private_pkcs8(der)
    }
    fn import_public_spki(&self, der: &[u8]) -> Result<Arc<dyn PublicKeyOps>, jose::Error> {
        aws().import_public_spki(der)
    }
    fn generate(&self, spec: KeySpec) -> Result<Arc<dyn PrivateKeyOps>, jose::Error> {
        aws().generate(spec)
    }
}

/// A service running on 127.0.0.1 (port 0) for one test, recording its audit log.
pub struct TestServer {
    pub base: String,
    pub engine: Arc<Engine>,
    pub service: Arc<Service>,
    pub audit: Arc<Mutex<Vec<AuditRecord>>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), jose_4quays::Error>>>,
}

impl TestServer {
    pub async fn start(engine: Engine) -> Self {
        Self::start_with(engine, Settings::default()).await
    }

    /// A service with `settings` on 127.0.0.1 (port 0).
    pub async fn start_with(engine: Engine, settings: Settings) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::start_on(listener, engine, settings).await
    }

    pub async fn start_on(listener: TcpListener, engine: Engine, settings: Settings) -> Self {
        let engine = Arc::new(engine);
        let scheme = if settings.tls.is_some() {
            "https"
        } else {
            "http"
        };
        let base = format!("{scheme}://{}", listener.local_addr().unwrap());
        let audit = Arc::new(Mutex::new(Vec::new()));
        let records = Arc::clone(&audit);
        let sink: AuditSink =
            Arc::new(move |r: &AuditRecord| records.lock().unwrap().push(r.clone()));
        let service = Arc::new(
            Service::new(Arc::clone(&engine), settings)
                .unwrap()
                .with_audit_sink(sink),
        );
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(Arc::clone(&service).serve(listener, async move {
            let _ = stopped.await;
        }));
        TestServer {
            base,
            engine,
            service,
            audit,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Graceful shutdown; fails the test if the service does not stop within 10 s or stops with an
    /// error.
    pub async fn stop(mut self) {
        self.stop.take().unwrap().send(()).unwrap();
        let task = self.task.take().unwrap();
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .expect("the service stops within 10 s of the shutdown signal")
            .unwrap()
            .unwrap();
    }

    pub fn audit_records(&self) -> Vec<AuditRecord> {
        self.audit.lock().unwrap().clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// A raw answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Answer {
    /// The body's member names, in the order the service wrote them.
    pub fn keys(&self) -> Vec<String> {
        self.keys_at("")
    }

    /// The member names of the object at the JSON pointer `pointer` (`/error/details/0`), in the
    /// order the service wrote them. Read from the text: `json`'s objects have serde_json's
    /// `Map` order (sorted by name, unless a crate of the build turns on `preserve_order`).
    pub fn keys_at(&self, pointer: &str) -> Vec<String> {
        let mut node = &serde_json::from_str::<Ordered>(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text));
        for step in pointer.split('/').skip(1) {
            node = match node {
                Ordered::Object(members) => members
                    .iter()
                    .find(|(name, _)| name == step)
                    .map(|(_, v)| v),
                Ordered::Array(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
                Ordered::Other => None,
            }
            .unwrap_or_else(|| panic!("nothing at {pointer:?} in {}", self.text));
        }
        match node {
            Ordered::Object(members) => members.iter().map(|(name, _)| name.clone()).collect(),
            _ => panic!("expected an object at {pointer:?} in {}", self.text),
        }
    }
}

/// A JSON value whose objects keep their members in document order.
enum Ordered {
    Object(Vec<(String, Ordered)>),
    Array(Vec<Ordered>),
    Other,
}

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{MapAccess, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut members = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    members.push((name, map.next_value()?));
                }
                Ok(Ordered::Object(members))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Ordered::Array(items))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// POSTs `body` to `url` with exactly `headers`.
pub async fn post(
    http: &reqwest::Client,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<reqwest::Body>,
) -> Answer {
    let mut request = http.post(url).body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        text,
        json,
    }
}

/// The usual headers: Bearer [`API_KEY`], JSON, [`REQUEST_ID`].
pub fn std_headers() -> Vec<(&'static str, &'static str)> {
    vec![
        ("authorization", "Bearer sk_test_partner_0123456789"),
        ("content-type", "application/json"),
        ("x-request-id", REQUEST_ID),
    ]
}
