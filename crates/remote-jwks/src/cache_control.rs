//! How long a fetched set may be used: the answer's `Cache-Control`, clamped.

use std::time::Duration;

/// What the `Cache-Control` header fields of an answer say about its lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Directive {
    /// No `Cache-Control`, or none that says anything about the lifetime (or a malformed
    /// `max-age`, which is ignored).
    Absent,
    /// `no-store` or `no-cache`: as short as allowed.
    NoCache,
    /// `max-age=N` (the smallest, if given more than once).
    MaxAge(Duration),
}

/// Reads the directives of every `Cache-Control` field value (RFC 9111 section 5.2): names are
/// case-insensitive, `max-age` takes delta-seconds (digits, also accepted quoted; a value too
/// large for a `u64` counts as the largest), `no-store` and `no-cache` win over `max-age`.
pub(crate) fn parse<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> Directive {
    let mut no_cache = false;
    let mut max_age: Option<u64> = None;
    for value in values {
        let Ok(value) = std::str::from_utf8(value) else {
            continue;
        };
        for directive in value.split(',') {
            let (name, argument) = match directive.split_once('=') {
                Some((name, argument)) => (name.trim(), Some(argument.trim())),
                None => (directive.trim(), None),
            };
            if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
                no_cache = true;
            } else if name.eq_ignore_ascii_case("max-age") {
                if let Some(seconds) = argument.and_then(delta_seconds) {
                    max_age = Some(max_age.map_or(seconds, |m| m.min(seconds)));
                }
            }
        }
    }
    match (no_cache, max_age) {
        (true, _) => Directive::NoCache,
        (false, Some(seconds)) => Directive::MaxAge(Duration::from_secs(seconds)),
        (false, None) => Directive::Absent,
    }
}

/// Delta-seconds: one or more ASCII digits, optionally quoted; saturating at `u64::MAX`.
fn delta_seconds(text: &str) -> Option<u64> {
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.bytes().fold(0u64, |n, digit| {
        n.saturating_mul(10)
            .saturating_add(u64::from(digit.saturating_sub(b'0')))
    }))
}

/// The lifetime of a set fetched with these directives: `max-age`, the minimum for
/// `no-store`/`no-cache`, `default` without either; then clamped to `[min, max]`.
pub(crate) fn lifetime(
    directive: Directive,
    default: Duration,
    min: Duration,
    max: Duration,
) -> Duration {
    let asked = match directive {
        Directive::Absent => default,
        Directive::NoCache => min,
        Directive::MaxAge(age) => age,
    };
    asked.clamp(min, max.max(min))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(values: &[&str]) -> Directive {
        parse(values.iter().map(|v| v.as_bytes()))
    }

    #[test]
    fn directives() {
        let secs = |s| Directive::MaxAge(Duration::from_secs(s));
        assert_eq!(of(&[]), Directive::Absent);
        assert_eq!(of(&["public"]), Directive::Absent);
        assert_eq!(of(&["max-age=300"]), secs(300));
        assert_eq!(of(&["public, MAX-AGE=60, must-revalidate"]), secs(60));
        assert_eq!(of(&["max-age=\"45\""]), secs(45));
        assert_eq!(of(&["max-age = 7"]), secs(7));
        assert_eq!(of(&["max-age=600", "max-age=30"]), secs(30));
        assert_eq!(of(&["max-age=99999999999999999999999"]), secs(u64::MAX));
        for malformed in [
            "max-age=",
            "max-age=-1",
            "max-age=1.5",
            "max-age=ten",
            "max-age",
        ] {
            assert_eq!(of(&[malformed]), Directive::Absent, "{malformed}");
        }
        assert_eq!(of(&["max-age=300, no-cache"]), Directive::NoCache);
        assert_eq!(of(&["No-Store"]), Directive::NoCache);
        assert_eq!(of(&["max-age=300", "no-store"]), Directive::NoCache);
        assert_eq!(parse([&b"max-age=\xff"[..], b"max-age=5"]), secs(5));
    }

    #[test]
    fn lifetimes_are_clamped() {
        let s = Duration::from_secs;
        let (default, min, max) = (s(600), s(60), s(3600));
        let life = |d| lifetime(d, default, min, max);
        assert_eq!(life(Directive::Absent), s(600));
        assert_eq!(life(Directive::NoCache), s(60));
        assert_eq!(life(Directive::MaxAge(s(0))), s(60));
        assert_eq!(life(Directive::MaxAge(s(120))), s(120));
        assert_eq!(life(Directive::MaxAge(s(86_400))), s(3600));
        assert_eq!(life(Directive::MaxAge(Duration::MAX)), s(3600));
        // A default outside the bounds is clamped too.
        assert_eq!(lifetime(Directive::Absent, s(5), min, max), s(60));
    }
}
