//! Shared by the `jose 4quays serve` tests: a running service started by a test, and a raw
//! HTTP/1.1 request to it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{API_KEY_ENV, JOSE};

/// A `jose 4quays serve` on 127.0.0.1, port 0. Dropping it kills the process if the test has not
/// stopped it.
pub struct Serve {
    pub child: Child,
    /// stderr after the listening line, unless drained into [`Serve::log`].
    pub stderr: Option<BufReader<ChildStderr>>,
    /// What the service wrote on stderr after its listening line, when drained.
    pub log: Arc<Mutex<String>>,
    /// `127.0.0.1:PORT`, from the `listening on http(s)://ADDR` line.
    pub addr: String,
}

impl Serve {
    /// Starts `jose [--provider P] 4quays serve --config CONFIG --listen 127.0.0.1:0` without
    /// `FOURQUAYS_API_KEY` in its environment and reads its listening line. With `drain`, a
    /// thread keeps reading stderr into [`Serve::log`]; without, it is left to the test (or to
    /// nobody).
    pub fn start(provider: Option<&str>, config: &Path, drain: bool) -> Serve {
        let mut command = Command::new(JOSE);
        command.env_remove(API_KEY_ENV);
        if let Some(provider) = provider {
            command.args(["--provider", provider]);
        }
        let mut child = command
            .args([
                "4quays",
                "serve",
                "--config",
                config.to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        stderr.read_line(&mut first).unwrap();
        let addr = ["listening on http://", "listening on https://"]
            .iter()
            .find_map(|marker| first.split(marker).nth(1))
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("expected the listening line, found {first:?}"))
            .to_owned();
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = if drain {
            let sink = Arc::clone(&log);
            std::thread::spawn(move || {
                let mut line = String::new();
                while stderr.read_line(&mut line).unwrap_or(0) > 0 {
                    sink.lock().unwrap().push_str(&line);
                    line.clear();
                }
            });
            None
        } else {
            Some(stderr)
        };
        Serve {
            child,
            stderr,
            log,
            addr,
        }
    }

    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One HTTP/1.1 request over a fresh connection (`Connection: close`); returns (status, body).
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"));
    let (_, body) = response.split_once("\r\n\r\n").unwrap_or(("", ""));
    (status, body.to_owned())
}
