//! Running child processes: the workspace root, the cargo to call, timed steps, and captured
//! runs with a deadline.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The workspace root: the parent of this crate's manifest directory.
pub(crate) fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The cargo binary to call: the one running `cargo xtask` (cargo sets `CARGO` for the
/// processes it runs), or `cargo` from `PATH`.
pub(crate) fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// A `cargo` command line, with extra environment, run from the workspace root.
#[derive(Debug, Clone)]
pub(crate) struct CargoCommand {
    /// Arguments after `cargo`.
    args: Vec<String>,
    /// Extra environment variables set for the child.
    envs: Vec<(String, String)>,
}

impl CargoCommand {
    /// `cargo` with the given arguments.
    pub(crate) fn new(args: &[&str]) -> Self {
        Self {
            args: args.iter().map(|&arg| arg.to_owned()).collect(),
            envs: Vec::new(),
        }
    }

    /// Sets an environment variable for the child.
    pub(crate) fn env(mut self, key: &str, value: &str) -> Self {
        self.envs.push((key.to_owned(), value.to_owned()));
        self
    }

    /// How the command reads in a log: `RUSTDOCFLAGS="-D warnings" cargo doc ...`.
    pub(crate) fn display(&self) -> String {
        let mut out = String::new();
        for (key, value) in &self.envs {
            out.push_str(&format!("{key}=\"{value}\" "));
        }
        out.push_str("cargo");
        for arg in &self.args {
            out.push(' ');
            out.push_str(arg);
        }
        out
    }

    /// The `std::process::Command` to spawn.
    fn to_command(&self) -> Command {
        let mut command = Command::new(cargo());
        command.args(&self.args).current_dir(workspace_root());
        for (key, value) in &self.envs {
            command.env(key, value);
        }
        command
    }

    /// Runs the command with inherited stdio and waits for it.
    pub(crate) fn status(&self) -> Timed<std::io::Result<ExitStatus>> {
        let start = Instant::now();
        let result = self.to_command().status();
        Timed {
            value: result,
            elapsed: start.elapsed(),
        }
    }

    /// Runs the command quietly and returns its captured output.
    pub(crate) fn output(&self) -> std::io::Result<std::process::Output> {
        self.to_command().stdin(Stdio::null()).output()
    }

    /// Runs the command (printed first) and returns its standard output; `Err` names the
    /// command, how it failed and its standard error.
    pub(crate) fn stdout(&self) -> Result<String, String> {
        eprintln!("--> {}", self.display());
        let output = self
            .output()
            .map_err(|e| format!("could not run {}: {e}", self.display()))?;
        if !output.status.success() {
            return Err(format!(
                "{}: {}: {}",
                self.display(),
                describe_status(output.status),
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Runs the command, echoing its output as it comes while also keeping it, and kills it
    /// if it has not finished within `timeout` (when one is given).
    pub(crate) fn captured(&self, timeout: Option<Duration>) -> Timed<std::io::Result<Captured>> {
        let start = Instant::now();
        let value = run_captured(self.to_command(), timeout);
        Timed {
            value,
            elapsed: start.elapsed(),
        }
    }
}

/// A value together with how long it took to produce.
#[derive(Debug)]
pub(crate) struct Timed<T> {
    /// The result.
    pub(crate) value: T,
    /// Wall-clock time taken.
    pub(crate) elapsed: Duration,
}

/// What a captured run produced.
#[derive(Debug)]
pub(crate) struct Captured {
    /// The exit status, or `None` when the process was killed at the deadline.
    pub(crate) status: Option<ExitStatus>,
    /// Standard output and standard error, interleaved line by line as they arrived.
    pub(crate) output: String,
}

/// After the child exits, how long to keep reading output still in its pipes. Bounded, so a
/// grandchild that keeps a pipe open cannot hang the task.
const DRAIN_GRACE: Duration = Duration::from_secs(5);

/// Which of the child's streams a line came from, to forward it to the same one of ours.
#[derive(Debug, Clone, Copy)]
enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// Spawns `command` with piped output, forwards each line to our own stdout or stderr as it
/// arrives and collects it, and kills the child at the deadline if there is one.
fn run_captured(mut command: Command, timeout: Option<Duration>) -> std::io::Result<Captured> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn()?;

    let (sender, receiver) = mpsc::channel::<String>();
    if let Some(stdout) = child.stdout.take() {
        forward_lines(stdout, Stream::Stdout, sender.clone());
    }
    if let Some(stderr) = child.stderr.take() {
        forward_lines(stderr, Stream::Stderr, sender.clone());
    }
    drop(sender);

    let deadline = timeout.and_then(|timeout| Instant::now().checked_add(timeout));
    let mut output = String::new();
    let status = loop {
        while let Ok(line) = receiver.try_recv() {
            output.push_str(&line);
        }
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            // Ignore the errors: the child may have exited between try_wait and kill.
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(50));
    };
    // Collect what is still buffered in the pipes; the reader threads end when the pipes
    // close, and are left to finish on their own if that takes longer than the grace period.
    let grace_end = Instant::now() + DRAIN_GRACE;
    loop {
        let left = grace_end.saturating_duration_since(Instant::now());
        match receiver.recv_timeout(left) {
            Ok(line) => output.push_str(&line),
            Err(_) => break,
        }
    }
    Ok(Captured { status, output })
}

/// Reads `pipe` line by line on a thread, echoing each line to our `stream` and sending it on.
fn forward_lines(pipe: impl Read + Send + 'static, stream: Stream, sender: mpsc::Sender<String>) {
    thread::spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            match reader.read_until(b'\n', &mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buffer).into_owned();
                    // Echo failures (a closed terminal) must not stop the collection.
                    let _ = match stream {
                        Stream::Stdout => write_now(&mut std::io::stdout().lock(), &line),
                        Stream::Stderr => write_now(&mut std::io::stderr().lock(), &line),
                    };
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            }
        }
    });
}

/// Writes `text` and flushes, so interleaving with the other stream stays close to real time.
fn write_now(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// `cargo install <krate> [--version V] --locked`, for a tool a task needs and did not find;
/// `task` names the task in the messages, `estimate` says how long it usually takes.
pub(crate) fn cargo_install(
    task: &str,
    krate: &str,
    version: Option<&str>,
    estimate: &str,
) -> Result<(), String> {
    let mut args = vec!["install", krate];
    if let Some(version) = version {
        args.extend(["--version", version]);
    }
    args.push("--locked");
    let command = CargoCommand::new(&args);
    eprintln!(
        "xtask {task}: {krate} is missing: {} ({estimate})",
        command.display()
    );
    let timed = command.status();
    match timed.value {
        Ok(status) if status.success() => {
            eprintln!(
                "xtask {task}: {krate} installed in {}",
                format_duration(timed.elapsed)
            );
            Ok(())
        }
        Ok(status) => Err(format!(
            "cargo install {krate} failed ({})",
            describe_status(status)
        )),
        Err(error) => Err(format!("could not run cargo install: {error}")),
    }
}

/// A duration as a short human string: `850ms`, `12.3s`, `2m05s`.
pub(crate) fn format_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis < 1_000 {
        format!("{millis}ms")
    } else if millis < 60_000 {
        format!("{:.1}s", duration.as_secs_f64())
    } else {
        let secs = duration.as_secs();
        format!("{}m{:02}s", secs / 60, secs % 60)
    }
}

/// Describes how a process ended: `exit status 101`, or the signal that killed it.
pub(crate) fn describe_status(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => format!("{status} (killed by a signal)"),
    }
}
