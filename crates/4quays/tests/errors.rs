//! jose-4quays follows the workspace's one error convention: a cause is the error's source and
//! never part of its own message, so the line a caller prints (`display_chain`) holds each cause
//! once; and `class()` says whose problem an error is (the CLI's exit status).

// The helpers below unwrap outside a #[test] function, where clippy's test allowance stops.
#![allow(clippy::unwrap_used)]

use jose::ErrorClass::{Local, Rejected, Transport};
use jose::error::{display_chain, repeated_cause};
use jose_4quays::client::parse_error;
use jose_4quays::types::ProtectRequest;
use jose_4quays::{AsyncClient, ClientOptions, Config, Error};
use std::error::Error as _;
use std::time::Duration;

/// `error` has a cause, and no message in its chain holds a cause below it
/// ([`repeated_cause`]), so the line a caller prints holds each cause once.
fn assert_each_cause_once(error: &(dyn std::error::Error + 'static)) {
    assert!(error.source().is_some(), "{error:?}: no source");
    let repeated = repeated_cause(error);
    assert!(
        repeated.is_none(),
        "the message repeats its cause {repeated:?}: {error}"
    );
    assert!(display_chain(error).starts_with(&error.to_string()));
}

/// A local port that nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A configuration file that cannot be read: [`Error::Io`], the operating system's error as its
/// source.
fn unreadable_config() -> Error {
    let dir = tempfile::tempdir().unwrap();
    Config::load(&dir.path().join("absent.toml")).unwrap_err()
}

/// A client whose CA file has a CERTIFICATE block that is not base64: [`Error::InvalidInput`],
/// with the TLS library's error as its source.
fn malformed_ca_file() -> Error {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ca.pem");
    std::fs::write(
        &path,
        "-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let options = ClientOptions {
        ca_file: Some(path),
        ..ClientOptions::default()
    };
    match AsyncClient::with_options("https://127.0.0.1:1", "sk_test_0123456789", &options) {
        Ok(_) => Error::Server {
            what: "a malformed CA file was accepted".into(),
            source: None,
        },
        Err(e) => e,
    }
}

/// A request to a port nothing listens on: [`Error::Transport`], with reqwest's error and the
/// errors below it (the connector's, the operating system's) as its chain.
async fn refused_connection() -> Error {
    let options = ClientOptions {
        connect_timeout: Duration::from_secs(5),
        timeout: Duration::from_secs(10),
        ..ClientOptions::default()
    };
    let base = format!("http://127.0.0.1:{}", closed_port());
    let client = AsyncClient::with_options(&base, "sk_test_0123456789", &options).unwrap();
    client
        .protect(&ProtectRequest::new(serde_json::json!({"a": 1})), None)
        .await
        .unwrap_err()
}

#[tokio::test]
async fn each_cause_is_printed_once() {
    let io = unreadable_config();
    assert!(matches!(io, Error::Io { .. }), "{io:?}");
    assert!(io.source().is_some_and(|s| s.is::<std::io::Error>()));
    assert_each_cause_once(&io);

    let transport = refused_connection().await;
    assert!(
        matches!(transport, Error::Transport { .. }),
        "{transport:?}"
    );
    // A nested chain: reqwest's error, and at least one cause below it.
    let mut depth = 0;
    let mut cause = transport.source();
    while let Some(c) = cause {
        depth += 1;
        cause = c.source();
    }
    assert!(depth >= 2, "{}", display_chain(&transport));
    assert_each_cause_once(&transport);

    // A CA file whose certificate block does not parse: the TLS library's error is the source.
    let ca = malformed_ca_file();
    assert!(
        matches!(
            ca,
            Error::InvalidInput {
                what: "CA file",
                ..
            }
        ),
        "{ca:?}"
    );
    assert_each_cause_once(&ca);

    // jose-core's error is transparent: its message is the line, once.
    let jose = Error::from(jose::Error::invalid_key("an RSA key", "an EC P-256 key"));
    let line = display_chain(&jose);
    assert_eq!(
        line,
        jose::Error::invalid_key("an RSA key", "an EC P-256 key").to_string()
    );
    // An error without a cause prints its message alone.
    let answer = parse_error(404, b"not json");
    assert!(answer.source().is_none());
    assert_eq!(display_chain(&answer), answer.to_string());
}

/// The check above fails on a message that writes its cause into itself.
#[test]
#[should_panic(expected = "the message repeats its cause")]
fn a_message_holding_its_cause_fails_the_check() {
    #[derive(Debug)]
    struct Interpolating(std::io::Error);
    impl std::fmt::Display for Interpolating {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "cannot read configuration file: {}", self.0)
        }
    }
    impl std::error::Error for Interpolating {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }
    let cause = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
    assert_each_cause_once(&Interpolating(cause));
}

#[tokio::test]
async fn classes() {
    let cases = [
        (unreadable_config(), Local),
        (refused_connection().await, Transport),
        (Config::from_toml("not = [toml").unwrap_err(), Local),
        (
            AsyncClient::new("ftp://example.com", "sk_test_0123456789").unwrap_err(),
            Local,
        ),
        (Error::from(jose::Error::DecryptionFailed), Rejected),
        (Error::from(jose::Error::invalid_key("a", "b")), Local),
        (
            parse_error(
                404,
                br#"{"error":{"code":"POLICY_NOT_FOUND","message":"no such policy"},"requestId":"r1"}"#,
            ),
            Rejected,
        ),
        (parse_error(500, b"not json"), Rejected),
        (
            Error::Server {
                what: "cannot bind".into(),
                source: Some(std::io::Error::from(std::io::ErrorKind::AddrInUse).into()),
            },
            Local,
        ),
    ];
    for (error, class) in cases {
        assert_eq!(error.class(), class, "{error:?}");
        assert_eq!(error.is_rejection(), class == Rejected, "{error:?}");
    }
}
