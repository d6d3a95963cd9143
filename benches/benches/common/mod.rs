//! What every criterion bench of this crate shares (`mod common;` in each).

use std::time::Duration;

use criterion::Criterion;

/// Criterion settings: `JOSE_BENCH_QUICK=1` for a fast, rougher run.
pub(crate) fn config() -> Criterion {
    let quick = std::env::var_os("JOSE_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0");
    let (warm_up, measure, samples) = if quick {
        (Duration::from_millis(200), Duration::from_millis(600), 10)
    } else {
        (Duration::from_millis(500), Duration::from_secs(2), 20)
    };
    Criterion::default()
        .warm_up_time(warm_up)
        .measurement_time(measure)
        .sample_size(samples)
        .without_plots()
        .configure_from_args()
}
