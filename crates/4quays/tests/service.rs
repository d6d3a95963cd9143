//! The service as a network peer sees it, over real TCP on 127.0.0.1: authentication before the
//! body, the connection clock (header read, idle), load shedding, 404/405, `/readyz` and
//! `/metrics`. Every loop here is bounded in count and time.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{API_KEY, TestServer, aws, engine, post, std_headers};
use jose_4quays::server::Settings;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn addr(server: &TestServer) -> String {
    server.base.trim_start_matches("http://").to_owned()
}

/// Reads what the server sends until it closes the connection or `limit` passes; returns the text
/// and whether the server closed.
async fn read_until_close(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    let mut out = Vec::new();
    let deadline = Instant::now() + limit;
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&out).into_owned(), true),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&out).into_owned(), false),
        }
    }
}

/// The status and JSON body of one raw HTTP/1.1 response text.
fn parse_response(text: &str) -> (u16, String, Value) {
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (
        status,
        head.to_ascii_lowercase(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthenticated_request_is_answered_without_its_body() {
    let server = TestServer::start(engine(aws())).await;
    let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
    let started = Instant::now();
    stream
        .write_all(
            b"POST /api/v1/protect HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\nX-Request-Id: no-body-1\r\n\r\n",
        )
        .await
        .unwrap();
    let (text, closed) = read_until_close(&mut stream, Duration::from_secs(1)).await;
    assert!(closed, "the server closes the connection: {text}");
    assert!(started.elapsed() < Duration::from_secs(1));
    let (status, head, body) = parse_response(&text);
    assert_eq!(status, 401, "{text}");
    assert!(head.contains("connection: close"), "{head}");
    assert!(head.contains("www-authenticate: bearer"), "{head}");
    assert_eq!(body["error"]["code"], "AUTHENTICATION_FAILED");
    assert_eq!(body["requestId"], "no-body-1");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declared_oversized_and_slow_bodies_are_refused() {
    let settings = Settings {
        body_read_timeout: Duration::from_millis(500),
        ..Settings::default()
    };
    let server = TestServer::start_with(engine(aws()), settings).await;
    // Authenticated, declaring more than the limit (64 KiB here): 400 at once, body unread.
    let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
    let head = format!(
        "POST /api/v1/protect HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {API_KEY}\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (text, closed) = read_until_close(&mut stream, Duration::from_secs(1)).await;
    assert!(closed, "{text}");
    let (status, _, body) = parse_response(&text);
    assert_eq!(status, 400, "{text}");
    assert_eq!(body["error"]["details"][0]["field"], "body");

    // Authenticated, a small body that never comes: 408 after the body read timeout.
    let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
    let head = format!(
        "POST /api/v1/protect HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {API_KEY}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"payl"
    );
    let started = Instant::now();
    stream.write_all(head.as_bytes()).await.unwrap();
    let (text, closed) = read_until_close(&mut stream, Duration::from_secs(3)).await;
    assert!(closed, "{text}");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(450) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    let (status, _, body) = parse_response(&text);
    assert_eq!(status, 408, "{text}");
    assert_eq!(body["error"]["code"], "REQUEST_TIMEOUT");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_heads_and_idle_connections_are_cut_off() {
    let settings = Settings {
        header_read_timeout: Duration::from_millis(800),
        idle_timeout: Duration::from_millis(1500),
        ..Settings::default()
    };
    let server = TestServer::start_with(engine(aws()), settings).await;

    // A head sent one byte every 200 ms is cut off about 800 ms after its first byte.
    let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
    let started = Instant::now();
    let mut cut = None;
    for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: aaaaaaaaaaaaaaaaaaaaaa\r\n\r\n" {
        if stream.write_all(&[*byte]).await.is_err() {
            cut = Some(started.elapsed());
            break;
        }
        let mut probe = [0u8; 1];
        if let Ok(Ok(0)) =
            tokio::time::timeout(Duration::from_millis(200), stream.read(&mut probe)).await
        {
            cut = Some(started.elapsed());
            break;
        }
    }
    let cut = cut.expect("the slow head is cut off before it is complete");
    assert!(
        cut >= Duration::from_millis(700) && cut < Duration::from_millis(2500),
        "{cut:?}"
    );

    // A connection that never sends anything: closed after the header read timeout.
    let mut silent = TcpStream::connect(addr(&server)).await.unwrap();
    let started = Instant::now();
    let (_, closed) = read_until_close(&mut silent, Duration::from_secs(3)).await;
    assert!(closed);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(700) && waited < Duration::from_millis(2500),
        "{waited:?}"
    );

    // A keep-alive connection: answered, kept open while idle for less than the idle timeout
    // (longer than the header read timeout), then closed.
    let mut keep = TcpStream::connect(addr(&server)).await.unwrap();
    keep.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(2), keep.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let idle_started = Instant::now();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    keep.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let n = tokio::time::timeout(Duration::from_secs(2), keep.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"),
        "still open after {:?} idle",
        idle_started.elapsed()
    );
    let idle_started = Instant::now();
    let (_, closed) = read_until_close(&mut keep, Duration::from_secs(4)).await;
    assert!(closed);
    let idle = idle_started.elapsed();
    assert!(
        idle >= Duration::from_millis(1300) && idle < Duration::from_millis(3500),
        "{idle:?}"
    );
    let metrics = reqwest::get(server.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let timed_out = sample(&metrics, "fourquays_connections_timed_out_total", &[]);
    assert!(timed_out >= 3.0, "{timed_out}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overload_is_shed_with_503_and_the_service_recovers() {
    let settings = Settings {
        max_in_flight: 2,
        in_flight_wait: Duration::ZERO,
        crypto_workers: 1,
        ..Settings::default()
    };
    let server = TestServer::start_with(engine(aws()), settings).await;
    let http = reqwest::Client::new();
    let url = server.url("/api/v1/protect");
    let unprotect_url = server.url("/api/v1/unprotect");
    let mut tasks = Vec::new();
    for client in 0..32 {
        let http = http.clone();
        let url = url.clone();
        let unprotect_url = unprotect_url.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut shed) = (0u32, 0u32);
            for round in 0..8 {
                let payload = json!({"client": client, "round": round});
                let answer = post(
                    &http,
                    &url,
                    &std_headers(),
                    json!({ "payload": payload }).to_string(),
                )
                .await;
                match answer.status {
                    200 => {}
                    503 => {
                        assert_eq!(
                            answer.headers.get("retry-after").unwrap(),
                            "1",
                            "{}",
                            answer.text
                        );
                        assert_eq!(answer.json["error"]["code"], "SERVICE_UNAVAILABLE");
                        assert!(answer.json["requestId"].is_string());
                        shed += 1;
                        continue;
                    }
                    other => panic!("unexpected {other}: {}", answer.text),
                }
                let opened = post(
                    &http,
                    &unprotect_url,
                    &std_headers(),
                    json!({ "jwe": answer.json["jwe"] }).to_string(),
                )
                .await;
                match opened.status {
                    200 => {
                        // Every 200 carries its own caller's payload.
                        assert_eq!(opened.json["payload"], payload);
                        ok += 1;
                    }
                    503 => shed += 1,
                    other => panic!("unexpected {other}: {}", opened.text),
                }
            }
            (ok, shed)
        }));
    }
    let (mut ok, mut shed) = (0, 0);
    for task in tasks {
        let (o, s) = tokio::time::timeout(Duration::from_secs(60), task)
            .await
            .unwrap()
            .unwrap();
        ok += o;
        shed += s;
    }
    assert!(shed > 0, "32 clients over 2 slots: some are shed");
    assert!(ok > 0, "and some are served");
    assert_eq!(server.service.metrics().shed(), u64::from(shed));
    // The load is over: everything is answered again.
    for round in 0..5 {
        let payload = json!({"after": round});
        let answer = post(
            &http,
            &url,
            &std_headers(),
            json!({ "payload": payload }).to_string(),
        )
        .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_paths_and_methods_answer_in_the_error_shape() {
    let server = TestServer::start(engine(aws())).await;
    let http = reqwest::Client::new();
    let cases: [(reqwest::Method, &str, u16, &str, Option<&str>); 5] = [
        (reqwest::Method::GET, "/nope", 404, "NOT_FOUND", None),
        (
            reqwest::Method::POST,
            "/api/v2/protect",
            404,
            "NOT_FOUND",
            None,
        ),
        (
            reqwest::Method::GET,
            "/api/v1/protect",
            405,
            "METHOD_NOT_ALLOWED",
            Some("POST"),
        ),
        (
            reqwest::Method::PUT,
            "/api/v1/unprotect",
            405,
            "METHOD_NOT_ALLOWED",
            Some("POST"),
        ),
        (
            reqwest::Method::POST,
            "/metrics",
            405,
            "METHOD_NOT_ALLOWED",
            Some("GET"),
        ),
    ];
    for (method, path, status, code, allow) in cases {
        let response = http
            .request(method.clone(), server.url(path))
            .header("x-request-id", "rid-404")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{method} {path}");
        assert_eq!(
            response.headers().get("allow").map(|v| v.to_str().unwrap()),
            allow
        );
        assert_eq!(response.headers()["x-request-id"], "rid-404");
        let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(body["error"]["message"].is_string());
        assert_eq!(body["requestId"], "rid-404");
    }
    // Without an X-Request-Id, a fresh one.
    let text = http
        .get(server.url("/nope"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["requestId"].as_str().unwrap().len(), 36);
    for (path, expect) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let text = http
            .get(server.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["status"], expect);
    }
    server.stop().await;
}

/// The value of one sample of the parsed exposition; 0 if absent.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).unwrap();
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => 0.0,
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_parse_as_prometheus_text_and_move_with_traffic() {
    let server = TestServer::start(engine(aws())).await;
    let http = reqwest::Client::new();
    let scrape = |http: reqwest::Client, url: String| async move {
        let response = http.get(url).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/plain; version=0.0.4; charset=utf-8"
        );
        response.text().await.unwrap()
    };
    let before = scrape(http.clone(), server.url("/metrics")).await;
    let parsed = prometheus_parse::Scrape::parse(before.lines().map(|l| Ok(l.to_owned()))).unwrap();
    for name in [
        "fourquays_requests_total",
        "fourquays_request_duration_seconds",
        "fourquays_in_flight",
        "fourquays_shed_total",
        "fourquays_reloads_total",
        "fourquays_reload_failures_total",
        "fourquays_connections_open",
        "fourquays_log_lines_dropped_total",
    ] {
        assert!(parsed.docs.contains_key(name), "{name} has HELP");
    }
    let ok = [
        ("operation", "protect"),
        ("outcome", "encrypted"),
        ("status", "200"),
    ];
    assert_eq!(sample(&before, "fourquays_requests_total", &ok), 0.0);
    for _ in 0..3 {
        let answer = post(
            &http,
            &server.url("/api/v1/protect"),
            &std_headers(),
            r#"{"payload":1}"#,
        )
        .await;
        assert_eq!(answer.status, 200);
    }
    let answer = post(
        &http,
        &server.url("/api/v1/protect"),
        &[("content-type", "application/json")],
        r#"{"payload":1}"#,
    )
    .await;
    assert_eq!(answer.status, 401);
    let after = scrape(http.clone(), server.url("/metrics")).await;
    assert_eq!(sample(&after, "fourquays_requests_total", &ok), 3.0);
    assert_eq!(
        sample(
            &after,
            "fourquays_requests_total",
            &[("outcome", "AUTHENTICATION_FAILED"), ("status", "401")]
        ),
        1.0
    );
    // The histogram: the +Inf bucket and the count are the four protect answers.
    let parsed = prometheus_parse::Scrape::parse(after.lines().map(|l| Ok(l.to_owned()))).unwrap();
    let histogram = parsed
        .samples
        .iter()
        .find(|s| {
            s.metric == "fourquays_request_duration_seconds"
                && s.labels.get("operation") == Some("protect")
        })
        .expect("the protect latency histogram");
    match &histogram.value {
        prometheus_parse::Value::Histogram(buckets) => {
            let inf = buckets.iter().find(|b| b.less_than.is_infinite()).unwrap();
            assert_eq!(inf.count, 4.0);
        }
        other => panic!("expected a histogram, found {other:?}"),
    }
    assert!(sample(&after, "fourquays_connections_open", &[]) >= 1.0);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_in_flight_finishes_on_the_config_it_started_with() {
    use jose_4quays::config::Example;
    use jose_4quays::server::Service;
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let example = Example::generate(aws()).unwrap();
    for file in &example.files {
        std::fs::write(dir.path().join(&file.name), file.contents.as_bytes()).unwrap();
    }
    let config = dir.path().join(jose_4quays::config::EXAMPLE_CONFIG_NAME);
    let service = Arc::new(Service::from_config_file(&config, aws()).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(Arc::clone(&service).serve(listener, async move {
        let _ = stopped.await;
    }));

    // A request whose head (and so its authentication) arrives before the reload, and whose
    // body arrives after it.
    let body = r#"{"payload":{"started":"before the reload"}}"#;
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/protect HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        example.api_key.as_str(),
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body.as_bytes()[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    // The reload revokes that API key (its hash is replaced by another one).
    let text = std::fs::read_to_string(&config).unwrap();
    let hash = jose_4quays::hash_api_key(example.api_key.as_str(), aws());
    std::fs::write(&config, text.replace(&hash, &"0".repeat(64))).unwrap();
    service.reload().unwrap();
    assert_eq!(service.metrics().reloads(), (1, 0));

    stream.write_all(&body.as_bytes()[10..]).await.unwrap();
    let mut buf = vec![0u8; 16384];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    let (status, _, answer) = parse_response(&String::from_utf8_lossy(&buf[..n]));
    assert_eq!(
        status, 200,
        "the request admitted before the reload finishes: {answer}"
    );
    assert!(answer["jwe"].is_object());

    // A new request with the same key runs on the new configuration: revoked.
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    let request = format!("{head}{body}");
    stream.write_all(request.as_bytes()).await.unwrap();
    let (text, _) = read_until_close(&mut stream, Duration::from_secs(5)).await;
    assert_eq!(parse_response(&text).0, 401, "{text}");

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
