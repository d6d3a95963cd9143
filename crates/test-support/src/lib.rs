//! Dev-only test support: real components started on 127.0.0.1 for this workspace's tests and
//! benches. Nothing here is a mock; a component that cannot start is an error (the tests then
//! fail, never skip).
//!
//! ```no_run
//! let mut redis = jose_test_support::RedisServer::start()?;
//! println!("a real redis-server at {}", redis.url());
//! redis.stop(); // and `restart()` on the same port
//! # Ok::<(), String>(())
//! ```

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a component may take to start before it counts as failed.
pub const START_TIMEOUT: Duration = Duration::from_secs(15);

/// The redis-server binary: `$JOSE_TEST_REDIS_SERVER`, or `redis-server` on the `PATH` (the
/// Debian package `redis-server`, which `.ci/run` installs).
pub fn redis_server_binary() -> PathBuf {
    std::env::var_os("JOSE_TEST_REDIS_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("redis-server"))
}

/// A free TCP port on 127.0.0.1 (bound and released; another process could take it first, which
/// the caller sees as a failure to start).
pub fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| format!("expected a free loopback port, found an error: {e}"))?;
    listener
        .local_addr()
        .map(|addr| addr.port())
        .map_err(|e| format!("expected a local address, found an error: {e}"))
}

/// TLS for a [`RedisServer`]: PEM files of the server's certificate chain, its key, and the CA
/// that clients trust.
#[derive(Debug, Clone)]
pub struct RedisTls {
    /// The server certificate (PEM file).
    pub cert_file: PathBuf,
    /// The server key (PEM file).
    pub key_file: PathBuf,
    /// The CA certificate (PEM file).
    pub ca_file: PathBuf,
}

/// How to start a [`RedisServer`].
#[derive(Debug, Clone, Default)]
pub struct RedisConfig {
    /// `requirepass` (AUTH for the `default` user).
    pub password: Option<String>,
    /// TLS only (no plain port) when set.
    pub tls: Option<RedisTls>,
}

/// A test-only PKI: a CA and a server certificate for `localhost`, `127.0.0.1` and `::1` signed
/// by it, in PEM (and the server's certificate and key in DER, for a rustls configuration). Made
/// fresh on each call; never use outside tests.
#[derive(Debug, Clone)]
pub struct TestPki {
    /// The CA certificate clients trust.
    pub ca_pem: String,
    /// The server certificate.
    pub cert_pem: String,
    /// The server's private key (PKCS#8).
    pub key_pem: String,
    /// The server certificate, DER.
    pub cert_der: Vec<u8>,
    /// The server's private key, PKCS#8 DER.
    pub key_der: Vec<u8>,
}

impl TestPki {
    /// A new CA and server certificate (ECDSA P-256).
    pub fn new(name: &str) -> Result<Self, String> {
        let failed = |e: rcgen::Error| format!("expected a test certificate, found an error: {e}");
        let ca_key = rcgen::KeyPair::generate().map_err(failed)?;
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(failed)?;
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, format!("{name} test-only CA"));
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).map_err(failed)?;
        let key = rcgen::KeyPair::generate().map_err(failed)?;
        let params = rcgen::CertificateParams::new(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
        ])
        .map_err(failed)?;
        let cert = params.signed_by(&key, &ca).map_err(failed)?;
        Ok(TestPki {
            ca_pem: ca.pem(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            cert_der: cert.der().to_vec(),
            key_der: key.serialize_der(),
        })
    }
}

/// A real `redis-server` on 127.0.0.1, no persistence, stopped (killed) on drop.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    config: RedisConfig,
    dir: tempfile::TempDir,
}

impl RedisServer {
    /// Starts a plain redis-server (no password, no TLS) on a free loopback port.
    pub fn start() -> Result<Self, String> {
        Self::start_with(RedisConfig::default())
    }

    /// Starts a redis-server with `config` on a free loopback port and waits until it answers.
    pub fn start_with(config: RedisConfig) -> Result<Self, String> {
        let dir = tempfile::tempdir()
            .map_err(|e| format!("expected a temporary directory, found an error: {e}"))?;
        let mut server = RedisServer {
            child: None,
            port: free_port()?,
            config,
            dir,
        };
        server.spawn()?;
        Ok(server)
    }

    /// Starts a TLS-only redis-server with a fresh [`TestPki`] (and `password`, if any); returns
    /// it with the CA (PEM) its clients must trust.
    pub fn start_tls(password: Option<&str>) -> Result<(Self, String), String> {
        let pki = TestPki::new("redis-server")?;
        let dir = tempfile::tempdir()
            .map_err(|e| format!("expected a temporary directory, found an error: {e}"))?;
        let write = |name: &str, pem: &str| -> Result<PathBuf, String> {
            let path = dir.path().join(name);
            std::fs::write(&path, pem)
                .map_err(|e| format!("expected to write {name}, found an error: {e}"))?;
            Ok(path)
        };
        let tls = RedisTls {
            cert_file: write("server.pem", &pki.cert_pem)?,
            key_file: write("server.key", &pki.key_pem)?,
            ca_file: write("ca.pem", &pki.ca_pem)?,
        };
        let mut server = RedisServer {
            child: None,
            port: free_port()?,
            config: RedisConfig {
                password: password.map(str::to_owned),
                tls: Some(tls),
            },
            dir,
        };
        server.spawn()?;
        Ok((server, pki.ca_pem))
    }

    /// The port it listens on (TLS or plain).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT/0`, or `rediss://` with TLS, with `:password@` when there is one.
    pub fn url(&self) -> String {
        let scheme = if self.config.tls.is_some() {
            "rediss"
        } else {
            "redis"
        };
        let auth = match &self.config.password {
            Some(password) => format!(":{password}@"),
            None => String::new(),
        };
        format!("{scheme}://{auth}127.0.0.1:{}/0", self.port)
    }

    /// Stops it (SIGKILL, so in-flight commands are cut as in a crash) and waits for the process
    /// to end. Stopping a stopped server does nothing.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, with the same configuration, empty.
    pub fn restart(&mut self) -> Result<(), String> {
        self.stop();
        self.spawn()
    }

    fn spawn(&mut self) -> Result<(), String> {
        let binary = redis_server_binary();
        let port = self.port.to_string();
        let mut command = Command::new(&binary);
        command
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--daemonize", "no", "--logfile", ""])
            .arg("--dir")
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match &self.config.tls {
            Some(tls) => {
                command.args(["--port", "0", "--tls-port", &port]);
                command.args(["--tls-auth-clients", "no"]);
                command.arg("--tls-cert-file").arg(&tls.cert_file);
                command.arg("--tls-key-file").arg(&tls.key_file);
                command.arg("--tls-ca-cert-file").arg(&tls.ca_file);
            }
            None => {
                command.args(["--port", &port]);
            }
        }
        if let Some(password) = &self.config.password {
            command.args(["--requirepass", password]);
        }
        let child = command.spawn().map_err(|e| {
            format!(
                "expected to start {} (install the Debian package redis-server, as .ci/run \
                 does, or set JOSE_TEST_REDIS_SERVER), found an error: {e}",
                binary.display()
            )
        })?;
        self.child = Some(child);
        self.wait_until_up()
    }

    fn wait_until_up(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    return Err(format!(
                        "expected redis-server to listen on 127.0.0.1:{}, found it exited with {status}",
                        self.port
                    ));
                }
            }
            if self.answers() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                self.stop();
                return Err(format!(
                    "expected redis-server to answer on 127.0.0.1:{} within {} s, found no answer",
                    self.port,
                    START_TIMEOUT.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Plain: a PING gets an answer (`+PONG`, or `-NOAUTH` with a password). TLS: the port
    /// accepts connections.
    fn answers(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        if self.config.tls.is_some() {
            return true;
        }
        let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
        if stream.write_all(b"PING\r\n").is_err() {
            return false;
        }
        let mut answer = [0u8; 1];
        matches!(stream.read(&mut answer), Ok(1)) && matches!(answer, [b'+'] | [b'-'])
    }

    /// The directory it runs in (for files a test writes beside it).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
