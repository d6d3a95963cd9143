//! Load bench of the 4Quays service over HTTP/1.1: protect and unprotect, plain and TLS, beside
//! the raw RSA-OAEP rates measured in the same run.
//!
//! ```text
//! cargo run --release --locked -p jose-benches --bin fourquays_load -- [--seconds N] [--write BENCHMARKS.md]
//! ```
//!
//! What it does, in order:
//!
//! 1. Writes `jose_4quays::config::Example::generate` (fresh RSA 2048 keys, a random API key) into
//!    a temporary directory, with `[server] max_in_flight = 64`, and a second configuration with a
//!    TLS certificate for 127.0.0.1/localhost signed by a CA generated with rcgen.
//! 2. Measures raw RSA-OAEP (SHA-1, as policy RBC-TRANSFER-001 uses) with aws-lc-rs on the
//!    service's own key: decryptions per second on one thread and on every core at once,
//!    encryptions per second on one thread; and the engine's protect and unprotect in-process.
//! 3. Starts the service twice, plain and TLS, each in a child process (this binary run with the
//!    internal `serve` argument) so that its CPU time can be read on its own from
//!    `/proc/<pid>/task/*/stat`, and protects a few hundred envelopes through each. Then loads
//!    protect over HTTP, protect over HTTPS, unprotect over HTTP (cycling through the envelopes),
//!    unprotect over HTTPS, from 16 keep-alive connections of a hand-written HTTP/1.1 client, each
//!    with one request in flight: 2 s of warm-up, then the measured window. The sequence runs
//!    three times (`--rounds N`) and each scenario reports its median round: other processes on a
//!    shared machine move single runs by 30% and more.
//! 4. Prints a markdown table (requests/s, p50/p99 latency, errors, the CPU the server, the load
//!    generator and the rest of the machine used, per request) and the verdict on each target;
//!    `--write PATH` replaces the section between `<!-- 4quays-load:start -->` and
//!    `<!-- 4quays-load:end -->` of PATH (adding it the first time), keeping the hand-written part
//!    after `<!-- 4quays-load:notes -->`.
//!
//! Only 127.0.0.1 is contacted. Every loop is bounded in count and in time; the child exits when
//! its stdin closes (the parent ended) or after a fixed lifetime.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jose_4quays::config::{Config, Example};
use jose_4quays::{Engine, Operation};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Result<T, E = BoxError> = std::result::Result<T, E>;

/// The first line of the section this bench owns in BENCHMARKS.md.
const SECTION_START: &str = "<!-- 4quays-load:start -->";
/// The last line of that section.
const SECTION_END: &str = "<!-- 4quays-load:end -->";
/// Inside the section: everything after this line (up to the end line) is hand-written and kept.
const SECTION_NOTES: &str =
    "<!-- 4quays-load:notes: hand-written below, kept by fourquays_load -->";
/// `cargo xtask bench`'s notes marker: the first time, the section goes just above it.
const XTASK_NOTES_MARKER: &str = "<!-- notes below are kept by `cargo xtask bench` -->";

/// The targets of the issue.
const UNPROTECT_RAW_TARGET: f64 = 0.80;
const PROTECT_TARGET_RPS: f64 = 10_000.0;
const TLS_COST_TARGET: f64 = 0.15;

/// Bounds of every loop.
const MAX_REQUESTS_PER_CONNECTION: u64 = 5_000_000;
const MAX_CONNECTS_PER_CONNECTION: u32 = 20;
const MAX_RAW_OPS: u64 = 50_000_000;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_HEAD_BYTES: usize = 64 * 1024;
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// The child's lifetime at most: it exits then even if nobody stops it.
const CHILD_LIFETIME: Duration = Duration::from_secs(15 * 60);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("serve") {
        return serve_child(args.get(1..).unwrap_or_default());
    }
    let options = match Options::parse(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("fourquays_load: error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if options.help {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    match run(&options, &args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("fourquays_load: error: {error}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "\
Usage: fourquays_load [OPTIONS]

  --seconds N         measured window per scenario, seconds (default 10)
  --warmup N          warm-up per scenario, seconds (default 2)
  --connections N     keep-alive connections (default 16)
  --client-threads N  threads of the load generator (default 1)
  --raw-seconds N     length of each raw RSA measurement, seconds (default 3)
  --rounds N          run every scenario N times, interleaved; report the median (default 3)
  --envelopes N       envelopes protected before the unprotect load (default 256)
  --payload-bytes N   size of the JSON payload (default 1024)
  --only OP           protect or unprotect only (profiling; not with --write)
  --transport T       plain or tls only (profiling; not with --write)
  --no-audit-log      run the service without its JSON log subscriber
  --crypto-workers N  set [server] crypto_workers (default: the service's, one per core)
  --server-io-threads N
                      TOKIO_WORKER_THREADS of the service (default: tokio's, one per core)
  --write PATH        replace the 4quays-load section of PATH (BENCHMARKS.md)";

/// Command-line options.
#[derive(Debug, Clone, PartialEq)]
struct Options {
    seconds: u64,
    warmup: u64,
    connections: usize,
    client_threads: usize,
    raw_seconds: f64,
    rounds: usize,
    envelopes: usize,
    payload_bytes: usize,
    only: Option<Op>,
    transport: Option<Transport>,
    audit_log: bool,
    /// `[server] crypto_workers`, if set (else the service's default, one per core).
    crypto_workers: Option<usize>,
    /// `TOKIO_WORKER_THREADS` of the child, if set (else tokio's default, one per core).
    server_io_threads: Option<usize>,
    write: Option<PathBuf>,
    help: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = Options {
            seconds: 10,
            warmup: 2,
            connections: 16,
            client_threads: 1,
            raw_seconds: 3.0,
            rounds: 3,
            envelopes: 256,
            payload_bytes: 1024,
            only: None,
            transport: None,
            audit_log: true,
            crypto_workers: None,
            server_io_threads: None,
            write: None,
            help: false,
        };
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            let mut value = || {
                iter.next()
                    .cloned()
                    .ok_or_else(|| format!("`{arg}` needs a value"))
            };
            fn number<T: std::str::FromStr>(arg: &str, text: &str) -> Result<T, String> {
                text.parse()
                    .map_err(|_| format!("`{arg}` expects a number, found `{text}`"))
            }
            match arg.as_str() {
                "--seconds" => options.seconds = number(arg, &value()?)?,
                "--warmup" => options.warmup = number(arg, &value()?)?,
                "--connections" => options.connections = number(arg, &value()?)?,
                "--client-threads" => options.client_threads = number(arg, &value()?)?,
                "--raw-seconds" => options.raw_seconds = number(arg, &value()?)?,
                "--rounds" => options.rounds = number(arg, &value()?)?,
                "--envelopes" => options.envelopes = number(arg, &value()?)?,
                "--payload-bytes" => options.payload_bytes = number(arg, &value()?)?,
                "--only" => {
                    options.only = Some(match value()?.as_str() {
                        "protect" => Op::Protect,
                        "unprotect" => Op::Unprotect,
                        other => {
                            return Err(format!(
                                "`--only` takes protect or unprotect, found `{other}`"
                            ));
                        }
                    })
                }
                "--transport" => {
                    options.transport = Some(match value()?.as_str() {
                        "plain" => Transport::Plain,
                        "tls" => Transport::Tls,
                        other => {
                            return Err(format!(
                                "`--transport` takes plain or tls, found `{other}`"
                            ));
                        }
                    })
                }
                "--no-audit-log" => options.audit_log = false,
                "--crypto-workers" => options.crypto_workers = Some(number(arg, &value()?)?),
                "--server-io-threads" => options.server_io_threads = Some(number(arg, &value()?)?),
                "--write" => options.write = Some(PathBuf::from(value()?)),
                "-h" | "--help" => options.help = true,
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        if !(1..=3600).contains(&options.seconds) || options.warmup > 600 {
            return Err("`--seconds` must be 1 to 3600 and `--warmup` at most 600".into());
        }
        if !(1..=1024).contains(&options.connections) || !(1..=64).contains(&options.client_threads)
        {
            return Err("`--connections` must be 1 to 1024 and `--client-threads` 1 to 64".into());
        }
        if !(0.1..=600.0).contains(&options.raw_seconds) || !(1..=20).contains(&options.rounds) {
            return Err("`--raw-seconds` must be 0.1 to 600 and `--rounds` 1 to 20".into());
        }
        if !(1..=100_000).contains(&options.envelopes)
            || !(64..=512 * 1024).contains(&options.payload_bytes)
        {
            return Err(
                "`--envelopes` must be 1 to 100000 and `--payload-bytes` 64 to 524288".into(),
            );
        }
        if options
            .crypto_workers
            .is_some_and(|n| !(1..=64).contains(&n))
            || options
                .server_io_threads
                .is_some_and(|n| !(1..=64).contains(&n))
        {
            return Err("`--crypto-workers` and `--server-io-threads` must be 1 to 64".into());
        }
        if options.write.is_some() && (options.only.is_some() || options.transport.is_some()) {
            return Err(
                "`--write` needs every scenario: leave out `--only` and `--transport`".into(),
            );
        }
        if options.write.is_some() && cfg!(debug_assertions) {
            return Err("`--write` needs a release build (cargo run --release ...)".into());
        }
        Ok(options)
    }

    /// The measured window and the warm-up.
    fn window(&self) -> (Duration, Duration) {
        (
            Duration::from_secs(self.warmup),
            Duration::from_secs(self.seconds),
        )
    }
}

/// protect or unprotect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Protect,
    Unprotect,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Protect => "protect",
            Op::Unprotect => "unprotect",
        }
    }
}

/// Plain HTTP or HTTPS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    Plain,
    Tls,
}

impl Transport {
    fn name(self) -> &'static str {
        match self {
            Transport::Plain => "HTTP",
            Transport::Tls => "HTTPS",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The child: the service.

/// `serve CONFIG LOG`: runs the service on 127.0.0.1:0, prints the bound address on stdout, and
/// exits when stdin closes or after [`CHILD_LIFETIME`].
fn serve_child(args: &[String]) -> ExitCode {
    let (Some(config), Some(log)) = (args.first(), args.get(1)) else {
        eprintln!("fourquays_load serve: expected CONFIG and LOG (0 or 1)");
        return ExitCode::from(2);
    };
    // The parent closes our stdin to stop us (and it closes by itself if the parent dies).
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        std::process::exit(0);
    });
    std::thread::spawn(|| {
        std::thread::sleep(CHILD_LIFETIME);
        eprintln!("fourquays_load serve: lifetime over, exiting");
        std::process::exit(3);
    });
    let Some(provider) = jose::provider_by_name("aws-lc") else {
        eprintln!("fourquays_load serve: the aws-lc provider is not built in");
        return ExitCode::FAILURE;
    };
    // As `jose 4quays serve` does, but into a sink: the JSON formatting of every audit event is
    // part of the service's cost.
    let _logs = if log == "1" {
        match jose_4quays::server::telemetry::init_json_logs(
            std::io::sink(),
            jose_4quays::server::telemetry::DEFAULT_LOG_QUEUE_LINES,
        ) {
            Ok(guard) => Some(guard),
            Err(error) => {
                eprintln!("fourquays_load serve: {error}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    let service = match jose_4quays::server::Service::from_config_file(Path::new(config), provider)
    {
        Ok(service) => Arc::new(service),
        Err(error) => {
            eprintln!("fourquays_load serve: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = jose_4quays::server::run_until_signal("127.0.0.1:0", service, |addr| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{addr}");
        let _ = out.flush();
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("fourquays_load serve: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The running child; stopped (stdin closed, then killed if it lingers) when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(config: &Path, audit_log: bool, io_threads: Option<usize>) -> Result<Self> {
        let exe = std::env::current_exe()?;
        let mut command = Command::new(exe);
        match io_threads {
            Some(n) => command.env("TOKIO_WORKER_THREADS", n.to_string()),
            None => command.env_remove("TOKIO_WORKER_THREADS"),
        };
        let mut child = command
            .arg("serve")
            .arg(config)
            .arg(if audit_log { "1" } else { "0" })
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout of the child")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let read = std::io::BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(read.map(|_| line));
        });
        let mut server = Server {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let line = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Ok(line)) => line,
            Ok(Err(error)) => return Err(format!("reading the child's address: {error}").into()),
            Err(_) => return Err("the child did not print its address within 60 s".into()),
        };
        server.addr = line
            .trim()
            .parse()
            .map_err(|_| format!("the child printed `{}`, not an address", line.trim()))?;
        if !server.addr.ip().is_loopback() {
            return Err(format!("the child listens on {}, not on loopback", server.addr).into());
        }
        Ok(server)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// Files: the example configuration, the TLS certificate.

/// A directory under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path =
            std::env::temp_dir().join(format!("fourquays-load-{}-{nanos}", std::process::id()));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&path)?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write_file(path: &Path, contents: &[u8], secret: bool) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, if secret { 0o600 } else { 0o644 });
    options.open(path)?.write_all(contents)?;
    Ok(())
}

/// What the parent knows of the files it wrote.
struct Setup {
    plain_config: PathBuf,
    tls_config: PathBuf,
    api_key: String,
    /// The managed service's private key, PKCS#8 DER (for the raw baseline).
    rsa_pkcs8: Vec<u8>,
    /// The CA that signed the service's TLS certificate.
    ca: rustls_pki_types::CertificateDer<'static>,
}

fn write_setup(dir: &Path, crypto_workers: Option<usize>) -> Result<Setup> {
    use rustls_pki_types::pem::PemObject;
    let provider = jose::provider_by_name("aws-lc").ok_or("the aws-lc provider is not built in")?;
    let example = Example::generate(provider)?;
    let mut config_text = None;
    let mut rsa_pkcs8 = None;
    for file in &example.files {
        write_file(&dir.join(&file.name), file.contents.as_bytes(), file.secret)?;
        if file.name == jose_4quays::config::EXAMPLE_CONFIG_NAME {
            config_text = Some(file.contents.to_string());
        }
        if file.name.ends_with("rbc-2026-01-private.pem") {
            let der =
                rustls_pki_types::PrivatePkcs8KeyDer::from_pem_slice(file.contents.as_bytes())
                    .map_err(|e| format!("the example's rbc key is not PKCS#8 PEM: {e}"))?;
            rsa_pkcs8 = Some(der.secret_pkcs8_der().to_vec());
        }
    }
    let config_text = config_text.ok_or("the example has no configuration file")?;
    let rsa_pkcs8 = rsa_pkcs8.ok_or("the example has no rbc-2026-01 private key")?;

    // TLS: a CA, and a certificate for 127.0.0.1 and localhost signed by it (ECDSA P-256).
    let ca_key = rcgen::KeyPair::generate()?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "fourquays_load test-only CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let server_key = rcgen::KeyPair::generate()?;
    let mut params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = params.signed_by(&server_key, &issuer)?;
    write_file(
        &dir.join("tls-cert.pem"),
        server_cert.pem().as_bytes(),
        false,
    )?;
    write_file(
        &dir.join("tls-key.pem"),
        server_key.serialize_pem().as_bytes(),
        true,
    )?;

    let mut config = Config::from_toml(&config_text)?;
    config.server.listen = None;
    config.server.max_in_flight = Some(64);
    config.server.crypto_workers = crypto_workers;
    let plain_config = dir.join("4quays-plain.toml");
    write_file(&plain_config, toml::to_string(&config)?.as_bytes(), false)?;
    config.server.tls_cert = Some(PathBuf::from("tls-cert.pem"));
    config.server.tls_key = Some(PathBuf::from("tls-key.pem"));
    let tls_config = dir.join("4quays-tls.toml");
    write_file(&tls_config, toml::to_string(&config)?.as_bytes(), false)?;
    Ok(Setup {
        plain_config,
        tls_config,
        api_key: example.api_key.to_string(),
        rsa_pkcs8,
        ca: ca_cert.der().clone(),
    })
}

// ---------------------------------------------------------------------------------------------
// Raw baselines and the engine in-process.

/// The raw RSA-OAEP rates, per second of the measuring thread's CPU time (what one core does
/// while it runs the loop, whoever else shares the machine).
#[derive(Debug, Clone, Copy)]
struct Raw {
    /// Decryptions per CPU second, one thread.
    decrypt_per_core: f64,
    /// Decryptions per wall second, one thread (lower when other processes take the core).
    decrypt_wall: f64,
    /// Decryptions per CPU second on each of `threads` threads running at once.
    decrypt_per_core_all_busy: f64,
    /// Decryptions per wall second, all `threads` threads summed.
    decrypt_all_wall: f64,
    /// Threads of that measurement (one per core).
    threads: usize,
    /// Encryptions per CPU second, one thread.
    encrypt_per_core: f64,
}

/// CPU ticks (utime + stime) of the calling thread, from /proc/thread-self/stat.
fn thread_ticks() -> Option<u64> {
    let line = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    parse_stat(&line).map(|(_, ticks)| ticks)
}

/// Calls per second of `op`, by the wall clock and by the thread's CPU time.
#[derive(Debug, Clone, Copy)]
struct Rate {
    per_wall_second: f64,
    per_cpu_second: f64,
    ops: u64,
    cpu_seconds: f64,
}

/// Runs `op` for about `seconds` (checking the clock every 8 calls), at most [`MAX_RAW_OPS`]
/// times. The CPU time is in clock ticks (10 ms at 100 Hz): a few seconds keep its error
/// under 1%.
fn rate(seconds: f64, ticks_per_second: f64, mut op: impl FnMut() -> bool) -> Result<Rate> {
    let budget = Duration::from_secs_f64(seconds);
    let cpu_before = thread_ticks();
    let start = Instant::now();
    let mut ops: u64 = 0;
    while ops < MAX_RAW_OPS {
        for _ in 0..8 {
            if !op() {
                return Err("a measured operation failed".into());
            }
        }
        ops += 8;
        if start.elapsed() >= budget {
            break;
        }
    }
    let wall = start.elapsed().as_secs_f64();
    let cpu_seconds = match (cpu_before, thread_ticks()) {
        (Some(before), Some(after)) if after > before => (after - before) as f64 / ticks_per_second,
        // No /proc: the wall clock is all there is.
        _ => wall,
    };
    Ok(Rate {
        per_wall_second: ops as f64 / wall,
        per_cpu_second: ops as f64 / cpu_seconds,
        ops,
        cpu_seconds,
    })
}

fn raw_baseline(pkcs8: &[u8], seconds: f64, ticks: f64) -> Result<Raw> {
    use aws_lc_rs::rsa::{
        OAEP_SHA1_MGF1SHA1, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey,
    };
    let private = PrivateDecryptingKey::from_pkcs8(pkcs8).map_err(|e| format!("{e}"))?;
    let public = OaepPublicEncryptingKey::new(private.public_key()).map_err(|e| format!("{e}"))?;
    let private = OaepPrivateDecryptingKey::new(private).map_err(|e| format!("{e}"))?;
    // What RSA-OAEP wraps in a JWE: the 32-byte content key of A256GCM.
    let cek = [0x5au8; 32];
    let mut ciphertext = vec![0u8; public.ciphertext_size()];
    let sealed = public
        .encrypt(&OAEP_SHA1_MGF1SHA1, &cek, &mut ciphertext, None)
        .map_err(|e| format!("{e}"))?
        .to_vec();
    let decrypt_once = |out: &mut Vec<u8>| {
        private
            .decrypt(&OAEP_SHA1_MGF1SHA1, &sealed, out, None)
            .is_ok_and(|plain| std::hint::black_box(plain) == cek.as_slice())
    };
    let mut out = vec![0u8; private.min_output_size()];
    if !decrypt_once(&mut out) {
        return Err("raw RSA-OAEP does not round-trip".into());
    }
    let one = rate(seconds, ticks, || decrypt_once(&mut out))?;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let all: Vec<Rate> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = vec![0u8; private.min_output_size()];
                    rate(seconds, ticks, || decrypt_once(&mut out)).ok()
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().ok().flatten())
            .collect()
    });
    if all.len() != threads {
        return Err("a raw decryption thread failed".into());
    }
    let all_ops: u64 = all.iter().map(|r| r.ops).sum();
    let all_cpu: f64 = all.iter().map(|r| r.cpu_seconds).sum();
    let mut buffer = vec![0u8; public.ciphertext_size()];
    let encrypt = rate(seconds, ticks, || {
        public
            .encrypt(&OAEP_SHA1_MGF1SHA1, &cek, &mut buffer, None)
            .is_ok_and(|c| std::hint::black_box(c).len() == 256)
    })?;
    Ok(Raw {
        decrypt_per_core: one.per_cpu_second,
        decrypt_wall: one.per_wall_second,
        decrypt_per_core_all_busy: all_ops as f64 / all_cpu.max(1e-9),
        decrypt_all_wall: all.iter().map(|r| r.per_wall_second).sum(),
        threads,
        encrypt_per_core: encrypt.per_cpu_second,
    })
}

/// The engine's own cost, in-process on one thread (no HTTP): CPU microseconds per request.
#[derive(Debug, Clone, Copy)]
struct EngineCost {
    protect_us: f64,
    unprotect_us: f64,
}

fn engine_cost(
    config: &Path,
    api_key: &str,
    payload: &Value,
    seconds: f64,
    ticks: f64,
) -> Result<EngineCost> {
    let provider = jose::provider_by_name("aws-lc").ok_or("the aws-lc provider is not built in")?;
    let (config, base) = Config::load(config)?;
    let engine: Engine = config.engine(&base, provider)?;
    let request = |path: &str, body: Vec<u8>| {
        http::Request::builder()
            .method("POST")
            .uri(path)
            .header("authorization", format!("Bearer {api_key}"))
            .header("content-type", "application/json")
            .body(body)
    };
    let protect = request(
        "/api/v1/protect",
        serde_json::to_vec(&json!({ "payload": payload }))?,
    )?;
    let handled = engine.handle(Operation::Protect, &protect);
    if handled.response.status() != 200 {
        return Err(format!("in-process protect answered {}", handled.response.status()).into());
    }
    let answer: Value = serde_json::from_slice(handled.response.body())?;
    let jwe = answer.get("jwe").ok_or("in-process protect gave no jwe")?;
    let unprotect = request(
        "/api/v1/unprotect",
        serde_json::to_vec(&json!({ "jwe": jwe }))?,
    )?;
    let ok = |op, request: &http::Request<Vec<u8>>| {
        engine
            .handle(op, std::hint::black_box(request))
            .response
            .status()
            == 200
    };
    if !ok(Operation::Unprotect, &unprotect) {
        return Err("in-process unprotect failed".into());
    }
    let protect_rate = rate(seconds, ticks, || ok(Operation::Protect, &protect))?;
    let unprotect_rate = rate(seconds, ticks, || ok(Operation::Unprotect, &unprotect))?;
    Ok(EngineCost {
        protect_us: 1e6 / protect_rate.per_cpu_second,
        unprotect_us: 1e6 / unprotect_rate.per_cpu_second,
    })
}

// ---------------------------------------------------------------------------------------------
// CPU accounting from /proc.

/// Clock ticks per second of /proc's CPU times.
fn clock_ticks() -> (f64, &'static str) {
    let from_getconf = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|&t| t > 0.0);
    match from_getconf {
        Some(ticks) => (ticks, "getconf CLK_TCK"),
        None => (100.0, "assumed (getconf CLK_TCK failed)"),
    }
}

/// utime + stime (fields 14 and 15) of a /proc/.../stat line, and the command name.
fn parse_stat(line: &str) -> Option<(String, u64)> {
    let open = line.find('(')?;
    let close = line.rfind(')')?;
    let comm = line.get(open + 1..close)?.to_owned();
    let mut fields = line.get(close + 1..)?.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((comm, utime + stime))
}

/// CPU ticks of the server's threads, by role.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Roles {
    io: u64,
    crypto: u64,
    log: u64,
    other: u64,
}

impl Roles {
    fn total(&self) -> u64 {
        self.io + self.crypto + self.log + self.other
    }

    fn minus(&self, before: &Roles) -> Roles {
        Roles {
            io: self.io.saturating_sub(before.io),
            crypto: self.crypto.saturating_sub(before.crypto),
            log: self.log.saturating_sub(before.log),
            other: self.other.saturating_sub(before.other),
        }
    }
}

/// One reading of the CPU counters.
#[derive(Debug, Clone, Copy)]
struct CpuSample {
    at: Instant,
    server: Roles,
    client: u64,
    /// /proc/stat: busy (user nice system irq softirq), steal, and all.
    machine_busy: u64,
    machine_steal: u64,
}

fn sample_cpu(server_pid: u32) -> CpuSample {
    let at = Instant::now();
    let mut server = Roles::default();
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{server_pid}/task")) {
        for task in tasks.flatten().take(4096) {
            let Ok(line) = std::fs::read_to_string(task.path().join("stat")) else {
                continue;
            };
            let Some((comm, ticks)) = parse_stat(&line) else {
                continue;
            };
            if comm.starts_with("4quays-io") {
                server.io += ticks;
            } else if comm.starts_with("4quays-crypto") {
                server.crypto += ticks;
            } else if comm.starts_with("4quays-log") {
                server.log += ticks;
            } else {
                server.other += ticks;
            }
        }
    }
    let client = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|line| parse_stat(&line))
        .map_or(0, |(_, ticks)| ticks);
    let (machine_busy, machine_steal) = std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|text| text.lines().next().map(parse_proc_stat_cpu))
        .unwrap_or((0, 0));
    CpuSample {
        at,
        server,
        client,
        machine_busy,
        machine_steal,
    }
}

/// The `cpu` line of /proc/stat: (user + nice + system + irq + softirq, steal).
fn parse_proc_stat_cpu(line: &str) -> (u64, u64) {
    let values: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    let at = |i: usize| values.get(i).copied().unwrap_or(0);
    (at(0) + at(1) + at(2) + at(5) + at(6), at(7))
}

/// CPU use over a window, in cores (CPU seconds per wall second).
#[derive(Debug, Clone, Copy, Default)]
struct CpuUse {
    server: f64,
    io: f64,
    crypto: f64,
    log: f64,
    other: f64,
    client: f64,
    machine: f64,
    steal: f64,
}

fn cpu_use(before: &CpuSample, after: &CpuSample, ticks: f64) -> CpuUse {
    let wall = after.at.duration_since(before.at).as_secs_f64().max(1e-9);
    let cores = |t: u64| t as f64 / ticks / wall;
    let server = after.server.minus(&before.server);
    CpuUse {
        server: cores(server.total()),
        io: cores(server.io),
        crypto: cores(server.crypto),
        log: cores(server.log),
        other: cores(server.other),
        client: cores(after.client.saturating_sub(before.client)),
        machine: cores(after.machine_busy.saturating_sub(before.machine_busy)),
        steal: cores(after.machine_steal.saturating_sub(before.machine_steal)),
    }
}

// ---------------------------------------------------------------------------------------------
// The HTTP/1.1 client.

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Opens connections to the service, plain or TLS (trusting the generated CA).
enum Connector {
    Plain(SocketAddr),
    Tls(SocketAddr, tokio_rustls::TlsConnector),
}

impl Connector {
    fn new(
        addr: SocketAddr,
        transport: Transport,
        ca: &rustls_pki_types::CertificateDer<'static>,
    ) -> Result<Self> {
        match transport {
            Transport::Plain => Ok(Connector::Plain(addr)),
            Transport::Tls => {
                let mut roots = rustls::RootCertStore::empty();
                roots.add(ca.clone())?;
                let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
                let mut config = rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()?
                    .with_root_certificates(roots)
                    .with_no_client_auth();
                config.alpn_protocols = vec![b"http/1.1".to_vec()];
                Ok(Connector::Tls(
                    addr,
                    tokio_rustls::TlsConnector::from(Arc::new(config)),
                ))
            }
        }
    }

    fn addr(&self) -> SocketAddr {
        match self {
            Connector::Plain(addr) | Connector::Tls(addr, _) => *addr,
        }
    }

    async fn connect(&self) -> std::io::Result<Box<dyn Stream>> {
        let tcp = TcpStream::connect(self.addr()).await?;
        tcp.set_nodelay(true)?;
        match self {
            Connector::Plain(_) => Ok(Box::new(tcp)),
            Connector::Tls(addr, connector) => {
                let name = rustls_pki_types::ServerName::from(addr.ip());
                Ok(Box::new(connector.connect(name, tcp).await?))
            }
        }
    }
}

/// A request ready to send, and what its answer must hold.
struct Prepared {
    bytes: Vec<u8>,
    expect: Expect,
}

enum Expect {
    /// A `jwe` object (protect).
    Jwe,
    /// This `payload` (unprotect).
    Payload(Value),
}

fn http_request(addr: SocketAddr, path: &str, api_key: &str, body: &[u8]) -> Vec<u8> {
    let mut bytes = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {api_key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// One answer: its status, where its body is in the buffer, and whether the server closes.
#[derive(Debug, PartialEq, Eq)]
struct Head {
    status: u16,
    content_length: usize,
    close: bool,
}

fn bad(message: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message.into())
}

/// Parses a response head (status line and headers, without the blank line).
fn parse_head(head: &[u8]) -> std::io::Result<Head> {
    let text = std::str::from_utf8(head).map_err(|_| bad("response head is not UTF-8"))?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.split(' ');
    if parts.next() != Some("HTTP/1.1") {
        return Err(bad(format!("unexpected status line `{status_line}`")));
    }
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(format!("unexpected status line `{status_line}`")))?;
    let mut content_length = None;
    let mut close = false;
    for line in lines.take(200) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = Some(
                value
                    .parse::<usize>()
                    .map_err(|_| bad(format!("bad Content-Length `{value}`")))?,
            );
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(bad("chunked answers are not expected"));
        } else if name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close") {
            close = true;
        }
    }
    let content_length = content_length.ok_or_else(|| bad("no Content-Length"))?;
    if content_length > MAX_BODY_BYTES {
        return Err(bad(format!("body of {content_length} bytes")));
    }
    Ok(Head {
        status,
        content_length,
        close,
    })
}

/// Sends `request` and reads one answer into `buf`; returns the head and where the body starts.
async fn exchange(
    stream: &mut Box<dyn Stream>,
    request: &[u8],
    buf: &mut Vec<u8>,
) -> std::io::Result<(Head, usize)> {
    buf.clear();
    stream.write_all(request).await?;
    stream.flush().await?;
    let mut searched = 0;
    // Each read brings at least one byte, and the head is bounded: this loop is bounded.
    let head_end = loop {
        if let Some(at) = buf
            .get(searched..)
            .and_then(|rest| rest.windows(4).position(|w| w == b"\r\n\r\n"))
        {
            break searched + at;
        }
        searched = buf.len().saturating_sub(3);
        if buf.len() > MAX_HEAD_BYTES {
            return Err(bad("response head too long"));
        }
        buf.reserve(16 * 1024);
        if stream.read_buf(buf).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
    };
    let head = parse_head(buf.get(..head_end).unwrap_or_default())?;
    let body_start = head_end + 4;
    let total = body_start + head.content_length;
    while buf.len() < total {
        buf.reserve(total - buf.len());
        if stream.read_buf(buf).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
    }
    if buf.len() > total {
        return Err(bad("bytes after the answer (nothing was pipelined)"));
    }
    Ok((head, body_start))
}

/// Whether a 200 body holds what `expect` says. Returns the parsed body.
fn check(body: &[u8], expect: &Expect) -> Option<Value> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let good = match expect {
        Expect::Jwe => value.get("jwe").is_some_and(Value::is_object),
        Expect::Payload(payload) => value.get("payload") == Some(payload),
    };
    good.then_some(value)
}

/// What one connection saw in the measured window.
#[derive(Debug, Default)]
struct ConnStats {
    /// Latency of every good answer, microseconds.
    latencies_us: Vec<u32>,
    /// Answers by status other than 200.
    statuses: BTreeMap<u16, u64>,
    /// 200 answers whose body was not what was expected.
    bad_bodies: u64,
    /// I/O errors and timeouts.
    io_errors: u64,
    /// Errors of any kind during the warm-up (not counted in the result).
    warmup_errors: u64,
    last_error: Option<String>,
}

/// One connection's closed loop: a request, its answer, the next, from `start` to `end`;
/// requests started from `measure_from` on are recorded.
async fn drive(
    connector: Arc<Connector>,
    work: Arc<Vec<Prepared>>,
    first: usize,
    measure_from: Instant,
    end: Instant,
) -> ConnStats {
    let mut stats = ConnStats::default();
    let mut stream: Option<Box<dyn Stream>> = None;
    let mut connects = 0;
    let mut buf = Vec::with_capacity(32 * 1024);
    let mut next = first;
    for _ in 0..MAX_REQUESTS_PER_CONNECTION {
        if Instant::now() >= end || work.is_empty() {
            break;
        }
        let Some(conn) = stream.as_mut() else {
            if connects >= MAX_CONNECTS_PER_CONNECTION {
                stats.last_error = Some("gave up reconnecting".into());
                break;
            }
            connects = connects.saturating_add(1);
            match tokio::time::timeout(REQUEST_TIMEOUT, connector.connect()).await {
                Ok(Ok(opened)) => stream = Some(opened),
                outcome => {
                    let measured = Instant::now() >= measure_from;
                    *if measured {
                        &mut stats.io_errors
                    } else {
                        &mut stats.warmup_errors
                    } += 1;
                    stats.last_error = Some(match outcome {
                        Ok(Err(e)) => format!("connect: {e}"),
                        _ => "connect: timed out".into(),
                    });
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            continue;
        };
        let Some(prepared) = work.get(next % work.len()) else {
            break;
        };
        next = next.wrapping_add(1);
        let started = Instant::now();
        let answer =
            tokio::time::timeout(REQUEST_TIMEOUT, exchange(conn, &prepared.bytes, &mut buf)).await;
        let elapsed = started.elapsed();
        let measured = started >= measure_from;
        let error = match answer {
            Ok(Ok((head, body_start))) => {
                if head.close {
                    stream = None;
                }
                if head.status != 200 {
                    if measured {
                        *stats.statuses.entry(head.status).or_default() += 1;
                    }
                    Some(format!(
                        "status {}: {}",
                        head.status,
                        String::from_utf8_lossy(buf.get(body_start..).unwrap_or_default())
                    ))
                } else if check(buf.get(body_start..).unwrap_or_default(), &prepared.expect)
                    .is_none()
                {
                    if measured {
                        stats.bad_bodies += 1;
                    }
                    Some("a 200 answer without what was expected".into())
                } else {
                    if measured {
                        stats
                            .latencies_us
                            .push(u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX));
                    }
                    None
                }
            }
            Ok(Err(e)) => {
                stream = None;
                if measured {
                    stats.io_errors += 1;
                }
                Some(format!("i/o: {e}"))
            }
            Err(_) => {
                stream = None;
                if measured {
                    stats.io_errors += 1;
                }
                Some("no answer within 10 s".into())
            }
        };
        if let Some(error) = error {
            if !measured {
                stats.warmup_errors += 1;
            }
            stats.last_error = Some(error);
        }
    }
    stats
}

/// The result of one scenario.
#[derive(Debug)]
struct LoadResult {
    op: Op,
    transport: Transport,
    ok: u64,
    errors: u64,
    error_detail: String,
    warmup_errors: u64,
    window: f64,
    p50_us: Option<u32>,
    p99_us: Option<u32>,
    cpu: CpuUse,
}

impl LoadResult {
    fn rps(&self) -> f64 {
        self.ok as f64 / self.window
    }

    /// CPU microseconds per good request, of `cores` used over the window.
    fn per_request_us(&self, cores: f64) -> f64 {
        if self.ok == 0 {
            return f64::NAN;
        }
        cores * self.window * 1e6 / self.ok as f64
    }
}

/// The `p` quantile (0..=1) of sorted values, nearest rank.
fn percentile(sorted: &[u32], p: f64) -> Option<u32> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = ((p * n as f64).ceil() as usize).clamp(1, n);
    sorted.get(rank - 1).copied()
}

/// Runs one scenario: `connections` closed loops over `work`, warm-up then the measured window,
/// with the CPU counters read at the window's edges.
fn load(
    runtime: &tokio::runtime::Runtime,
    connector: &Arc<Connector>,
    work: Arc<Vec<Prepared>>,
    (op, transport): (Op, Transport),
    options: &Options,
    server_pid: u32,
    ticks: f64,
) -> Result<LoadResult> {
    let (warmup, window) = options.window();
    runtime.block_on(async {
        let start = Instant::now();
        let measure_from = start + warmup;
        let end = measure_from + window;
        let tasks: Vec<_> = (0..options.connections)
            .map(|i| {
                let first = i * work.len() / options.connections;
                tokio::spawn(drive(
                    Arc::clone(connector),
                    Arc::clone(&work),
                    first,
                    measure_from,
                    end,
                ))
            })
            .collect();
        tokio::time::sleep_until(measure_from.into()).await;
        let before = sample_cpu(server_pid);
        tokio::time::sleep_until(end.into()).await;
        let after = sample_cpu(server_pid);
        let mut all = ConnStats::default();
        for task in tasks {
            let stats = tokio::time::timeout(REQUEST_TIMEOUT + Duration::from_secs(5), task)
                .await
                .map_err(|_| "a connection did not finish")??;
            all.latencies_us.extend(stats.latencies_us);
            for (status, count) in stats.statuses {
                *all.statuses.entry(status).or_default() += count;
            }
            all.bad_bodies += stats.bad_bodies;
            all.io_errors += stats.io_errors;
            all.warmup_errors += stats.warmup_errors;
            if stats.last_error.is_some() {
                all.last_error = stats.last_error;
            }
        }
        all.latencies_us.sort_unstable();
        let non_200: u64 = all.statuses.values().sum();
        let errors = non_200 + all.bad_bodies + all.io_errors;
        let mut error_detail = String::new();
        for (status, count) in &all.statuses {
            let _ = write!(error_detail, "{count}× {status}; ");
        }
        if all.bad_bodies > 0 {
            let _ = write!(error_detail, "{} bad bodies; ", all.bad_bodies);
        }
        if all.io_errors > 0 {
            let _ = write!(error_detail, "{} i/o errors; ", all.io_errors);
        }
        if let Some(last) = &all.last_error {
            let _ = write!(
                error_detail,
                "last: {}",
                last.chars().take(200).collect::<String>()
            );
        }
        Ok::<_, BoxError>(LoadResult {
            op,
            transport,
            ok: all.latencies_us.len() as u64,
            errors,
            error_detail,
            warmup_errors: all.warmup_errors,
            window: window.as_secs_f64(),
            p50_us: percentile(&all.latencies_us, 0.50),
            p99_us: percentile(&all.latencies_us, 0.99),
            cpu: cpu_use(&before, &after, ticks),
        })
    })
}

/// The payload of envelope `index`: a transfer instruction padded to about `bytes` of JSON.
fn payload(index: usize, bytes: usize) -> Value {
    let mut value = json!({
        "type": "transfer",
        "reference": format!("INV-{index:06}"),
        "amount": { "value": "1250.00", "currency": "CAD" },
        "debtor": { "name": "Example Payer Ltd", "account": "000123456789" },
        "creditor": { "name": "Example Supplier Inc", "account": "000987654321" },
        "remittance": "",
    });
    let len = serde_json::to_vec(&value).map_or(0, |v| v.len());
    let filler: String = "invoice lines 1-40, net 30; "
        .chars()
        .cycle()
        .take(bytes.saturating_sub(len))
        .collect();
    if let Some(remittance) = value.get_mut("remittance") {
        *remittance = Value::String(filler);
    }
    value
}

/// Protects `count` payloads over one connection: the unprotect scenario's envelopes.
fn envelopes(
    runtime: &tokio::runtime::Runtime,
    connector: &Connector,
    api_key: &str,
    options: &Options,
) -> Result<Vec<Prepared>> {
    let addr = connector.addr();
    runtime.block_on(async {
        let mut stream = connector.connect().await?;
        let mut buf = Vec::new();
        let mut out = Vec::with_capacity(options.envelopes);
        for index in 0..options.envelopes {
            let payload = payload(index, options.payload_bytes);
            let body = serde_json::to_vec(&json!({ "payload": payload }))?;
            let request = http_request(addr, "/api/v1/protect", api_key, &body);
            let (head, body_start) =
                tokio::time::timeout(REQUEST_TIMEOUT, exchange(&mut stream, &request, &mut buf))
                    .await
                    .map_err(|_| "protect timed out")??;
            let answer = buf.get(body_start..).unwrap_or_default();
            if head.status != 200 {
                return Err(format!(
                    "protect answered {}: {}",
                    head.status,
                    String::from_utf8_lossy(answer)
                )
                .into());
            }
            let value = check(answer, &Expect::Jwe).ok_or("protect gave no jwe")?;
            let jwe = value.get("jwe").ok_or("protect gave no jwe")?;
            let body = serde_json::to_vec(&json!({ "jwe": jwe }))?;
            out.push(Prepared {
                bytes: http_request(addr, "/api/v1/unprotect", api_key, &body),
                expect: Expect::Payload(payload),
            });
        }
        Ok::<_, BoxError>(out)
    })
}

// ---------------------------------------------------------------------------------------------
// The run and the report.

/// Machine, date and load.
struct Context {
    date: String,
    cpu: String,
    cores: usize,
    load_before: String,
    load_after: String,
    ticks: f64,
    ticks_source: &'static str,
    command: String,
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

fn date_utc() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown date".to_owned())
}

/// One transport's service and what the load needs of it.
struct Target {
    transport: Transport,
    server: Server,
    connector: Arc<Connector>,
    protect: Arc<Vec<Prepared>>,
    unprotect: Arc<Vec<Prepared>>,
}

fn run(options: &Options, args: &[String]) -> Result<()> {
    let (ticks, ticks_source) = clock_ticks();
    let mut context = Context {
        date: date_utc(),
        cpu: cpu_model(),
        cores: std::thread::available_parallelism().map_or(0, usize::from),
        load_before: load_average(),
        load_after: String::new(),
        ticks,
        ticks_source,
        command: std::iter::once("fourquays_load")
            .chain(args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" "),
    };
    eprintln!(
        "fourquays_load: {} cores, load average {}",
        context.cores, context.load_before
    );
    let dir = TempDir::new()?;
    let setup = write_setup(&dir.0, options.crypto_workers)?;

    eprintln!(
        "fourquays_load: raw RSA-OAEP baseline ({} s per figure)",
        options.raw_seconds
    );
    let raw = raw_baseline(&setup.rsa_pkcs8, options.raw_seconds, ticks)?;
    eprintln!(
        "  decrypt {:.0}/s per core ({:.0}/s per core with {} threads busy, {:.0}/s wall in all), encrypt {:.0}/s per core",
        raw.decrypt_per_core,
        raw.decrypt_per_core_all_busy,
        raw.threads,
        raw.decrypt_all_wall,
        raw.encrypt_per_core
    );
    let engine = engine_cost(
        &setup.plain_config,
        &setup.api_key,
        &payload(0, options.payload_bytes),
        options.raw_seconds,
        ticks,
    )?;
    eprintln!(
        "  engine in-process: protect {:.1} µs, unprotect {:.1} µs",
        engine.protect_us, engine.unprotect_us
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.client_threads)
        .thread_name("load-client")
        .enable_all()
        .build()?;
    // Both services run from the start (an idle one costs nothing), so that the HTTP and HTTPS
    // runs of an operation follow each other: whatever else loads the machine then is more
    // likely to weigh on both.
    let mut targets = Vec::new();
    for transport in [Transport::Plain, Transport::Tls] {
        if options.transport.is_some_and(|t| t != transport) {
            continue;
        }
        let config = match transport {
            Transport::Plain => &setup.plain_config,
            Transport::Tls => &setup.tls_config,
        };
        let server = Server::start(config, options.audit_log, options.server_io_threads)?;
        eprintln!(
            "fourquays_load: {} service: pid {} on {}",
            transport.name(),
            server.pid(),
            server.addr
        );
        let connector = Arc::new(Connector::new(server.addr, transport, &setup.ca)?);
        let protect = (0..options.envelopes.min(64))
            .map(|index| {
                let body = serde_json::to_vec(&json!({
                    "payload": payload(index, options.payload_bytes)
                }))?;
                Ok(Prepared {
                    bytes: http_request(server.addr, "/api/v1/protect", &setup.api_key, &body),
                    expect: Expect::Jwe,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let unprotect = if options.only == Some(Op::Protect) {
            Vec::new()
        } else {
            envelopes(&runtime, &connector, &setup.api_key, options)?
        };
        targets.push(Target {
            transport,
            server,
            connector,
            protect: Arc::new(protect),
            unprotect: Arc::new(unprotect),
        });
    }
    let mut rounds: Vec<Vec<LoadResult>> = Vec::new();
    for round in 1..=options.rounds {
        let mut results = Vec::new();
        for op in [Op::Protect, Op::Unprotect] {
            if options.only.is_some_and(|o| o != op) {
                continue;
            }
            for target in &targets {
                eprintln!(
                    "fourquays_load: round {round}/{}: {} over {}: {} s warm-up, {} s measured, {} connections",
                    options.rounds,
                    op.name(),
                    target.transport.name(),
                    options.warmup,
                    options.seconds,
                    options.connections
                );
                let work = match op {
                    Op::Protect => Arc::clone(&target.protect),
                    Op::Unprotect => Arc::clone(&target.unprotect),
                };
                let result = load(
                    &runtime,
                    &target.connector,
                    work,
                    (op, target.transport),
                    options,
                    target.server.pid(),
                    ticks,
                )?;
                eprintln!(
                    "  {:.0} req/s, p50 {}, p99 {}, errors {}{}; server {:.2} cores, client {:.2}, machine {:.2}",
                    result.rps(),
                    show_us(result.p50_us),
                    show_us(result.p99_us),
                    result.errors,
                    if result.errors > 0 {
                        format!(" ({})", result.error_detail)
                    } else {
                        String::new()
                    },
                    result.cpu.server,
                    result.cpu.client,
                    result.cpu.machine
                );
                results.push(result);
            }
        }
        rounds.push(results);
    }
    drop(targets);
    context.load_after = load_average();
    let (results, spread) = median_rounds(rounds);
    let report = Report {
        context: &context,
        options,
        raw,
        engine,
        results: &results,
        spread: &spread,
    };
    let text = report.render();
    println!("{text}");
    if let Some(path) = &options.write {
        let existing = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(format!("reading {}: {e}", path.display()).into()),
        };
        std::fs::write(path, update_section(&existing, &text))?;
        eprintln!("fourquays_load: section written to {}", path.display());
    }
    Ok(())
}

/// Per scenario, the round with the median requests/s (the lower middle one for an even count),
/// and every round's requests/s in run order.
fn median_rounds(rounds: Vec<Vec<LoadResult>>) -> (Vec<LoadResult>, Vec<Vec<f64>>) {
    let mut by_scenario: Vec<Vec<LoadResult>> = Vec::new();
    for round in rounds {
        for result in round {
            match by_scenario.iter_mut().find(|group| {
                group
                    .first()
                    .is_some_and(|r| r.op == result.op && r.transport == result.transport)
            }) {
                Some(group) => group.push(result),
                None => by_scenario.push(vec![result]),
            }
        }
    }
    let mut chosen = Vec::new();
    let mut spread = Vec::new();
    for mut group in by_scenario {
        spread.push(group.iter().map(LoadResult::rps).collect());
        group.sort_by(|a, b| a.rps().total_cmp(&b.rps()));
        let middle = (group.len().saturating_sub(1)) / 2;
        if let Some(result) = group.into_iter().nth(middle) {
            chosen.push(result);
        }
    }
    (chosen, spread)
}

fn show_us(us: Option<u32>) -> String {
    match us {
        Some(us) if us >= 10_000 => format!("{:.1} ms", f64::from(us) / 1000.0),
        Some(us) => format!("{:.2} ms", f64::from(us) / 1000.0),
        None => "–".to_owned(),
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "**met**" } else { "**missed**" }
}

struct Report<'a> {
    context: &'a Context,
    options: &'a Options,
    raw: Raw,
    engine: EngineCost,
    results: &'a [LoadResult],
    /// Every round's requests/s, per scenario in the order of `results`.
    spread: &'a [Vec<f64>],
}

impl Report<'_> {
    fn find(&self, op: Op, transport: Transport) -> Option<&LoadResult> {
        self.results
            .iter()
            .find(|r| r.op == op && r.transport == transport)
    }

    /// The generated part of the section (from the start line to just before the notes line).
    fn render(&self) -> String {
        let c = self.context;
        let o = self.options;
        let raw = self.raw;
        let mut out = String::new();
        let _ = writeln!(out, "{SECTION_START}");
        let _ = writeln!(out, "## 4Quays over HTTP: load bench\n");
        let _ = writeln!(
            out,
            "Generated by `benches/src/bin/fourquays_load.rs` on {} (release build) — do not edit above the \
             notes line of this section; rerun `cargo run --release --locked -p jose-benches --bin fourquays_load -- --write BENCHMARKS.md` instead.\n",
            c.date
        );
        let _ = writeln!(out, "- Command: `{}`", c.command);
        let _ = writeln!(
            out,
            "- Machine: {} × {} (nproc {})",
            c.cores, c.cpu, c.cores
        );
        let _ = writeln!(
            out,
            "- Load average (1, 5, 15 min) before the run: {}; after: {}",
            c.load_before, c.load_after
        );
        let rest: Vec<f64> = self
            .results
            .iter()
            .map(|r| (r.cpu.machine - r.cpu.server - r.cpu.client).max(0.0))
            .collect();
        let rest_max = rest.iter().copied().fold(0.0, f64::max);
        let rest_mean = rest.iter().sum::<f64>() / (rest.len().max(1) as f64);
        if rest_max >= 0.2 {
            let _ = writeln!(
                out,
                "- **Taken under load**: other processes (engineers' builds on this shared machine) used \
                 {rest_mean:.2} cores on average during the reported windows, {rest_max:.2} at most (column \
                 `rest of machine`). They take CPU from the server and the load generator, so requests/s are \
                 lower than on an idle machine; the ratios per server core are less affected."
            );
        } else {
            let _ = writeln!(
                out,
                "- The rest of the machine was near idle during the reported windows (at most {rest_max:.2} cores)."
            );
        }
        let _ = writeln!(
            out,
            "- Service: `jose_4quays::server::Service::from_config_file` + `run_until_signal` in a child process \
             (this binary with `serve`) on 127.0.0.1, the example configuration of `Example::generate` \
             (policy RBC-TRANSFER-001: RSA-OAEP + A256GCM, RSA 2048, keys made at run time), \
             `[server] max_in_flight = 64`, `crypto_workers` {}, tokio worker threads {}, audit log {}.",
            o.crypto_workers
                .map_or_else(|| "default (one per core)".to_owned(), |n| format!("= {n}")),
            o.server_io_threads.map_or_else(
                || "default (one per core)".to_owned(),
                |n| format!("= {n} (TOKIO_WORKER_THREADS)")
            ),
            if o.audit_log {
                "on (JSON lines to a sink, as `jose 4quays serve` formats them)"
            } else {
                "off"
            }
        );
        let _ = writeln!(
            out,
            "- Load: {} HTTP/1.1 keep-alive connections, one request in flight on each, from a hand-written \
             client on {} tokio thread(s) in the parent process; {} s warm-up, then {} s measured per scenario; \
             JSON payload of {} bytes; unprotect cycles through {} envelopes protected just before. Every 200 \
             answer is checked (protect: a `jwe` object; unprotect: `payload` equal to what was protected). \
             HTTPS: TLS 1.3 from rustls (aws-lc-rs) on both sides, ECDSA P-256 certificate from a CA made at run time.",
            o.connections, o.client_threads, o.warmup, o.seconds, o.payload_bytes, o.envelopes
        );
        let _ = writeln!(
            out,
            "- CPU: utime + stime from /proc/<pid>/task/*/stat over the measured window (clock ticks: {} = {}), \
             by thread: `io` = tokio workers (HTTP, TLS, auth, audit formatting), `crypto` = the crypto pool \
             (JSON, RSA, AES-GCM), `log` = the log writer, `other` = the accept loop and the rest; \
             `rest of machine` = /proc/stat busy time minus server and load generator (other processes, \
             softirq).\n",
            c.ticks, c.ticks_source
        );
        let _ = writeln!(
            out,
            "| scenario | requests/s | p50 | p99 | errors | server cores | server CPU/req (io · crypto · log · other) | load generator cores (CPU/req) | rest of machine cores | steal |"
        );
        let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        for r in self.results {
            let us = |cores: f64| r.per_request_us(cores);
            let _ = writeln!(
                out,
                "| {} over {} | {:.0} | {} | {} | {} | {:.2} | {:.0} µs ({:.0} · {:.0} · {:.0} · {:.0}) | {:.2} ({:.0} µs) | {:.2} | {:.2} |",
                r.op.name(),
                r.transport.name(),
                r.rps(),
                show_us(r.p50_us),
                show_us(r.p99_us),
                r.errors,
                r.cpu.server,
                us(r.cpu.server),
                us(r.cpu.io),
                us(r.cpu.crypto),
                us(r.cpu.log),
                us(r.cpu.other),
                r.cpu.client,
                us(r.cpu.client),
                (r.cpu.machine - r.cpu.server - r.cpu.client).max(0.0),
                r.cpu.steal,
            );
        }
        let _ = writeln!(out);
        if o.rounds > 1 {
            let shown: Vec<String> = self
                .results
                .iter()
                .zip(self.spread)
                .map(|(r, rps)| {
                    let list: Vec<String> = rps.iter().map(|v| format!("{v:.0}")).collect();
                    format!(
                        "{} over {}: {}",
                        r.op.name(),
                        r.transport.name(),
                        list.join(", ")
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "Each row is the median of {} interleaved rounds (by requests/s); every round's requests/s, in run order: {}.\n",
                o.rounds,
                shown.join("; ")
            );
        }
        let _ = writeln!(
            out,
            "Raw aws-lc-rs in the same run, before the load, on the service's own key (RSA 2048, OAEP with \
             SHA-1 as RSA-OAEP uses, a 32-byte content key), {} s each, counted per second of the measuring \
             thread's CPU time: **{:.0} decryptions/s per core** ({:.0} µs each; {:.0}/s by the wall clock), \
             {:.0}/s per core with all {} cores decrypting at once ({:.0}/s by the wall clock in all); \
             {:.0} encryptions/s per core ({:.1} µs each). The engine in-process on one thread \
             (`Engine::handle`, no HTTP, same payload): protect {:.1} µs, unprotect {:.1} µs of CPU per \
             request.\n",
            o.raw_seconds,
            raw.decrypt_per_core,
            1e6 / raw.decrypt_per_core,
            raw.decrypt_wall,
            raw.decrypt_per_core_all_busy,
            raw.threads,
            raw.decrypt_all_wall,
            raw.encrypt_per_core,
            1e6 / raw.encrypt_per_core,
            self.engine.protect_us,
            self.engine.unprotect_us,
        );
        for r in self
            .results
            .iter()
            .filter(|r| r.errors > 0 || r.warmup_errors > 0)
        {
            let _ = writeln!(
                out,
                "- {} over {}: {} errors in the measured window, {} in the warm-up ({}){}.",
                r.op.name(),
                r.transport.name(),
                r.errors,
                r.warmup_errors,
                r.error_detail,
                if r.errors > 0 {
                    ": this result does not count"
                } else {
                    ""
                }
            );
        }
        let _ = writeln!(out, "### Targets\n");
        let counts = |r: &LoadResult| r.errors == 0 && r.ok > 0;
        let unprotect_ratio =
            |r: &LoadResult| r.rps() / (raw.decrypt_per_core * r.cpu.server).max(1e-9);
        if let Some(u) = self.find(Op::Unprotect, Transport::Plain) {
            let ratio = unprotect_ratio(u);
            let tls = self
                .find(Op::Unprotect, Transport::Tls)
                .map(|t| {
                    format!(
                        " (over HTTPS: {:.0} req/s on {:.2} cores, {:.2})",
                        t.rps(),
                        t.cpu.server,
                        unprotect_ratio(t)
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- Unprotect ≥ {:.0}% of the raw decryption rate for the cores the server uses: {:.0} req/s \
                 ÷ ({:.0}/s per core × {:.2} cores = {:.0}/s) = **{:.2}**{tls}: {}.",
                UNPROTECT_RAW_TARGET * 100.0,
                u.rps(),
                raw.decrypt_per_core,
                u.cpu.server,
                raw.decrypt_per_core * u.cpu.server,
                ratio,
                verdict(counts(u) && ratio >= UNPROTECT_RAW_TARGET)
            );
        }
        if let Some(p) = self.find(Op::Protect, Transport::Plain) {
            let _ = writeln!(
                out,
                "- Protect ≥ {:.0} requests/s on this {}-core machine: **{:.0} req/s**: {}.",
                PROTECT_TARGET_RPS,
                c.cores,
                p.rps(),
                verdict(counts(p) && p.rps() >= PROTECT_TARGET_RPS)
            );
        }
        let mut tls_costs = Vec::new();
        for op in [Op::Protect, Op::Unprotect] {
            if let (Some(plain), Some(tls)) = (
                self.find(op, Transport::Plain),
                self.find(op, Transport::Tls),
            ) {
                let cost = 1.0 - tls.rps() / plain.rps().max(1e-9);
                tls_costs.push((op, cost, counts(plain) && counts(tls)));
            }
        }
        if !tls_costs.is_empty() {
            let shown: Vec<String> = tls_costs
                .iter()
                .map(|(op, cost, _)| format!("{} **{:.1}%**", op.name(), cost * 100.0))
                .collect();
            let met = tls_costs
                .iter()
                .all(|(_, cost, counted)| *counted && *cost <= TLS_COST_TARGET);
            let _ = writeln!(
                out,
                "- TLS costs ≤ {:.0}% (1 − HTTPS req/s ÷ HTTP req/s): {}: {}.",
                TLS_COST_TARGET * 100.0,
                shown.join(", "),
                verdict(met)
            );
        }
        let _ = writeln!(out);
        self.bounds(&mut out);
        out
    }

    /// "What bounds it": the arithmetic of the protect scenarios, from the figures above.
    fn bounds(&self, out: &mut String) {
        let c = self.context;
        let _ = writeln!(
            out,
            "### What bounds it (computed from the figures above)\n"
        );
        for transport in [Transport::Plain, Transport::Tls] {
            let Some(p) = self.find(Op::Protect, transport) else {
                continue;
            };
            let server = p.per_request_us(p.cpu.server);
            let client = p.per_request_us(p.cpu.client);
            let rest = (p.cpu.machine - p.cpu.server - p.cpu.client).max(0.0);
            let busy = p.cpu.machine + p.cpu.steal;
            let ceiling = c.cores as f64 * 1e6 / (server + client);
            let _ = writeln!(
                out,
                "- Protect over {}: {:.0} req/s with the machine {:.0}% busy ({:.2} of {} cores: server {:.2}, \
                 load generator {:.2}, rest {:.2}, steal {:.2}). Each request cost the server {:.0} µs of CPU \
                 ({:.0} on the io threads, {:.0} in the crypto pool against {:.1} µs for the engine alone \
                 in-process, {:.0} in the log thread, {:.0} elsewhere) and the load generator {:.0} µs: at \
                 {:.0} µs per request on {} cores the machine cannot exceed {:.0} req/s with client and server \
                 on it together{}.",
                p.transport.name(),
                p.rps(),
                100.0 * busy / c.cores as f64,
                busy,
                c.cores,
                p.cpu.server,
                p.cpu.client,
                rest,
                p.cpu.steal,
                server,
                p.per_request_us(p.cpu.io),
                p.per_request_us(p.cpu.crypto),
                self.engine.protect_us,
                p.per_request_us(p.cpu.log),
                p.per_request_us(p.cpu.other),
                client,
                server + client,
                c.cores,
                ceiling,
                if server > 0.0 {
                    format!(
                        "; the server alone, given both cores, {:.0} req/s",
                        c.cores as f64 * 1e6 / server
                    )
                } else {
                    String::new()
                }
            );
        }
        for transport in [Transport::Plain, Transport::Tls] {
            let Some(u) = self.find(Op::Unprotect, transport) else {
                continue;
            };
            let server = u.per_request_us(u.cpu.server);
            let rsa = 1e6 / self.raw.decrypt_per_core;
            let _ = writeln!(
                out,
                "- Unprotect over {}: {:.0} µs of server CPU per request ({:.0} on the io threads, {:.0} in the \
                 crypto pool, {:.0} in the log thread), of which the RSA private operation is {:.0} µs (raw) and \
                 the whole engine in-process {:.0} µs; the other {:.0} µs are the HTTP path and the hand-offs \
                 between threads. The ratio to raw is that share: {:.0} / {:.0} = {:.2}.",
                u.transport.name(),
                server,
                u.per_request_us(u.cpu.io),
                u.per_request_us(u.cpu.crypto),
                u.per_request_us(u.cpu.log),
                rsa,
                self.engine.unprotect_us,
                server - self.engine.unprotect_us,
                rsa,
                server,
                rsa / server
            );
        }
        let _ = writeln!(out);
    }
}

/// `existing` with the load section replaced by `generated` (which ends before the notes line);
/// the hand-written notes of the old section are kept. The first time, the section goes just
/// above `cargo xtask bench`'s notes marker, or at the end.
fn update_section(existing: &str, generated: &str) -> String {
    let start = existing.find(SECTION_START);
    let end = start.and_then(|s| {
        existing
            .get(s..)
            .and_then(|rest| rest.find(SECTION_END))
            .map(|e| s + e + SECTION_END.len())
    });
    let old = match (start, end) {
        (Some(s), Some(e)) => existing.get(s..e),
        _ => None,
    };
    let notes = old
        .and_then(|section| section.split_once(SECTION_NOTES))
        .and_then(|(_, rest)| rest.strip_suffix(SECTION_END))
        .map_or_else(|| "\n".to_owned(), str::to_owned);
    let section = format!(
        "{}{SECTION_NOTES}{notes}{SECTION_END}",
        generated.trim_end_matches('\n').to_owned() + "\n\n"
    );
    match (start, end) {
        (Some(s), Some(e)) => format!(
            "{}{section}{}",
            existing.get(..s).unwrap_or_default(),
            existing.get(e..).unwrap_or_default()
        ),
        _ => match existing.find(XTASK_NOTES_MARKER) {
            Some(at) => format!(
                "{}{section}\n\n{}",
                existing.get(..at).unwrap_or_default(),
                existing.get(at..).unwrap_or_default()
            ),
            None if existing.is_empty() => format!("{section}\n"),
            None => format!(
                "{}{}\n{section}\n",
                existing,
                if existing.ends_with('\n') { "" } else { "\n" }
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_parse() {
        let line = "1234 (4quays-crypto-0) S 1 2 3 4 5 6 7 8 9 10 250 31 0 0 20 0 1 0 5 6 7";
        assert_eq!(parse_stat(line), Some(("4quays-crypto-0".to_owned(), 281)));
        let odd = "99 (a) b (c)) R 1 2 3 4 5 6 7 8 9 10 7 3 0 0";
        assert_eq!(parse_stat(odd), Some(("a) b (c)".to_owned(), 10)));
        assert_eq!(
            parse_proc_stat_cpu("cpu  100 5 50 1000 7 3 2 11 0 0"),
            (160, 11)
        );
    }

    #[test]
    fn heads_parse() {
        let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nContent-Length: 42";
        assert_eq!(
            parse_head(head).unwrap(),
            Head {
                status: 200,
                content_length: 42,
                close: false
            }
        );
        let closing = b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0";
        assert!(parse_head(closing).unwrap().close);
        assert!(parse_head(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked").is_err());
        assert!(parse_head(b"HTTP/1.1 200 OK").is_err());
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&values, 0.50), Some(50));
        assert_eq!(percentile(&values, 0.99), Some(99));
        assert_eq!(percentile(&[7], 0.99), Some(7));
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn section_is_added_then_replaced_with_its_notes_kept() {
        let file = format!("# Benchmarks\n\ntables\n\n{XTASK_NOTES_MARKER}\n\n## Notes\n");
        let first = update_section(&file, &format!("{SECTION_START}\nrun 1\n"));
        assert!(first.starts_with("# Benchmarks\n\ntables\n\n<!-- 4quays-load:start -->\nrun 1\n"));
        assert!(first.ends_with(&format!(
            "{SECTION_END}\n\n{XTASK_NOTES_MARKER}\n\n## Notes\n"
        )));
        let noted = first.replace(
            &format!("{SECTION_NOTES}\n"),
            &format!("{SECTION_NOTES}\nhand-written\n"),
        );
        let second = update_section(&noted, &format!("{SECTION_START}\nrun 2\n"));
        assert!(second.contains("run 2") && !second.contains("run 1"));
        assert!(second.contains(&format!("{SECTION_NOTES}\nhand-written\n{SECTION_END}")));
        assert_eq!(second.matches(SECTION_START).count(), 1);
        assert!(second.ends_with(&format!("{XTASK_NOTES_MARKER}\n\n## Notes\n")));
        let appended = update_section("# Other\n", &format!("{SECTION_START}\nrun\n"));
        assert!(appended.starts_with("# Other\n\n<!-- 4quays-load:start -->\nrun\n"));
        assert!(appended.ends_with(&format!("{SECTION_END}\n")));
    }

    #[test]
    fn payloads_have_the_asked_size() {
        let p = payload(3, 1024);
        let len = serde_json::to_vec(&p).unwrap().len();
        assert!((1020..=1030).contains(&len), "{len}");
        assert_eq!(p["reference"], "INV-000003");
    }

    #[test]
    fn options_parse() {
        let args: Vec<String> = ["--seconds", "3", "--only", "protect"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let options = Options::parse(&args).unwrap();
        assert_eq!(options.seconds, 3);
        assert_eq!(options.only, Some(Op::Protect));
        let bad: Vec<String> = ["--write", "B.md", "--transport", "tls"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(Options::parse(&bad).is_err());
    }
}
