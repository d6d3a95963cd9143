//! Shared fixtures: RSA keys generated once per test binary (on aws-lc, which is fast) and
//! imported into whichever provider a test names.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use jose::jwe::Jwe;
use jose::jws::Jws;
use jose::{
    ContentEncryption, CryptoProvider, DecryptingKey, KeyManagementAlgorithm, KeySpec, Limits,
    PrivateKey,
};
use jose_klarna_xs2a::{Client, KeyRing, ManualClock, Opener, Sealer, Server, VerifierSet};
use serde_json::{Map, Value};
use std::sync::{Arc, OnceLock};

/// The client's (the TPP's) signing key id.
pub const CLIENT_SIG: &str = "tpp-sig-1";
/// The client's decryption keys: the old one and the new one (rotation).
pub const CLIENT_ENC_OLD: &str = "tpp-enc-1";
pub const CLIENT_ENC: &str = "tpp-enc-2";
/// The server's (Klarna's) signing key id, as in the spec's examples.
pub const SERVER_SIG: &str = "5F0C9D37";
/// The server's decryption keys.
pub const SERVER_ENC_OLD: &str = "2AF92B1C";
pub const SERVER_ENC: &str = "2AF92B1D";

/// 2020-03-24T15:30:12.156Z, the request_timestamp of the spec's example.
pub const T0: u64 = 1_585_063_812_156;

struct Pems {
    client_sig: String,
    client_enc_old: String,
    client_enc: String,
    server_sig: String,
    server_enc_old: String,
    server_enc: String,
    stranger: String,
}

fn pems() -> &'static Pems {
    static PEMS: OnceLock<Pems> = OnceLock::new();
    PEMS.get_or_init(|| {
        let provider = jose::provider_by_name("aws-lc").unwrap();
        let gen_pem = || {
            PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)
                .unwrap()
                .to_pkcs8_pem()
                .unwrap()
                .to_string()
        };
        Pems {
            client_sig: gen_pem(),
            client_enc_old: gen_pem(),
            client_enc: gen_pem(),
            server_sig: gen_pem(),
            server_enc_old: gen_pem(),
            server_enc: gen_pem(),
            stranger: gen_pem(),
        }
    })
}

fn import(pem: &str, kid: &str, provider: &dyn CryptoProvider) -> PrivateKey {
    PrivateKey::from_pem(pem, provider).unwrap().with_kid(kid)
}

/// Every key of both parties, imported into one provider.
#[derive(Clone, Debug)]
pub struct Keys {
    pub provider: &'static dyn CryptoProvider,
    pub client_sig: PrivateKey,
    pub client_enc_old: PrivateKey,
    pub client_enc: PrivateKey,
    pub server_sig: PrivateKey,
    pub server_enc_old: PrivateKey,
    pub server_enc: PrivateKey,
}

impl Keys {
    pub fn on(provider: &'static dyn CryptoProvider) -> Self {
        let p = pems();
        Keys {
            provider,
            client_sig: import(&p.client_sig, CLIENT_SIG, provider),
            client_enc_old: import(&p.client_enc_old, CLIENT_ENC_OLD, provider),
            client_enc: import(&p.client_enc, CLIENT_ENC, provider),
            server_sig: import(&p.server_sig, SERVER_SIG, provider),
            server_enc_old: import(&p.server_enc_old, SERVER_ENC_OLD, provider),
            server_enc: import(&p.server_enc, SERVER_ENC, provider),
        }
    }

    /// A key nobody knows, with the given kid (to impersonate a known kid).
    pub fn stranger(&self, kid: &str) -> PrivateKey {
        import(&pems().stranger, kid, self.provider)
    }

    pub fn client_sealer(&self) -> Sealer {
        Sealer::new(self.client_sig.clone(), self.server_enc.public_key()).unwrap()
    }

    pub fn server_sealer(&self) -> Sealer {
        Sealer::new(self.server_sig.clone(), self.client_enc.public_key()).unwrap()
    }

    pub fn client_opener(&self) -> Opener {
        Opener::new(
            KeyRing::new()
                .with(self.client_enc_old.clone())
                .unwrap()
                .with(self.client_enc.clone())
                .unwrap(),
            VerifierSet::new()
                .with(self.server_sig.public_key())
                .unwrap(),
        )
    }

    pub fn server_opener(&self) -> Opener {
        Opener::new(
            KeyRing::new()
                .with(self.server_enc_old.clone())
                .unwrap()
                .with(self.server_enc.clone())
                .unwrap(),
            VerifierSet::new()
                .with(self.client_sig.public_key())
                .unwrap(),
        )
    }

    pub fn client(&self, clock: &Arc<ManualClock>) -> Client {
        Client::new(self.client_sealer(), self.client_opener()).with_clock(clock.clone())
    }

    pub fn server(&self, clock: &Arc<ManualClock>) -> Server {
        Server::new(self.server_sealer(), self.server_opener()).with_clock(clock.clone())
    }
}

/// Keys on every provider.
pub fn all_keys() -> Vec<Keys> {
    jose::providers().into_iter().map(Keys::on).collect()
}

pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::at_millis(T0))
}

/// The JSON body signed inside `token` (a compact JWE to `recipient`), as sent: decrypted, the
/// nested JWS's payload read without verifying it.
pub fn signed_json(token: &str, recipient: &PrivateKey, provider: &dyn CryptoProvider) -> String {
    let key = DecryptingKey::new(recipient.clone(), KeyManagementAlgorithm::RsaOaep256).unwrap();
    let jwe = Jwe::from_compact(token, &Limits::default()).unwrap();
    let opened = jwe
        .decrypt([&key], &[ContentEncryption::A256Gcm], provider)
        .unwrap();
    let inner = std::str::from_utf8(&opened.plaintext).unwrap();
    let jws = Jws::from_compact(inner, &Limits::default()).unwrap();
    String::from_utf8(jws.unverified_payload().unwrap().to_vec()).unwrap()
}

/// A JSON object from a `json!` value.
pub fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("expected an object, found {other}"),
    }
}
