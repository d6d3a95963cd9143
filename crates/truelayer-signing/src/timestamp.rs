//! Webhook freshness: the `X-Tl-Webhook-Timestamp` header, an RFC 3339 date-time, checked against
//! a clock with a tolerance.

use crate::error::{Error, TimestampProblem};
use crate::request::shorten;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The request header that carries the time TrueLayer sent a webhook (RFC 3339, e.g.
/// `2020-05-18T10:17:47Z`).
pub const X_TL_WEBHOOK_TIMESTAMP: &str = "X-Tl-Webhook-Timestamp";

/// The longest timestamp accepted, in bytes (the usual form is 20; the rest is room for a
/// fraction of a second and an offset).
const MAX_TIMESTAMP_LEN: usize = 64;

/// An example for messages.
const EXAMPLE: &str = "an RFC 3339 date-time such as 2020-05-18T10:17:47Z";

/// How fresh a webhook must be: its `X-Tl-Webhook-Timestamp` (which must then be signed) may lie at
/// most [`tolerance`](WebhookFreshness::tolerance) before or after the clock. Turn the check on
/// with [`Verifier::webhook_freshness`](crate::Verifier::webhook_freshness).
///
/// The default is a 5-minute tolerance on the system clock. TrueLayer's documentation gives the
/// timestamp's form (`2020-05-18T10:17:47Z`) but no tolerance, and TrueLayer's libraries do not
/// check it; TrueLayer retries an undelivered webhook for up to 72 hours, each delivery being
/// "the time that the webhook was sent to you".
///
/// The clock is injectable: [`as_of`](WebhookFreshness::as_of) checks against a fixed instant
/// (tests, replays of recorded traffic) instead of reading the system clock at each check.
///
/// ```
/// use jose_truelayer_signing::{Error, TimestampProblem, WebhookFreshness};
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
///
/// // 2021-11-29T11:42:55Z is 1638186175 s after the epoch.
/// let sent = UNIX_EPOCH + Duration::from_secs(1_638_186_175);
/// let fresh = WebhookFreshness::default().as_of(sent + Duration::from_secs(60));
/// assert!(fresh.check(b"2021-11-29T11:42:55Z").is_ok());
///
/// let later = WebhookFreshness::default().as_of(sent + Duration::from_secs(3600));
/// let err = later.check(b"2021-11-29T11:42:55Z").unwrap_err();
/// assert!(matches!(err, Error::WebhookTimestamp { problem: TimestampProblem::Stale, .. }));
/// assert_eq!(
///     err.to_string(),
///     "refused webhook timestamp: expected an X-Tl-Webhook-Timestamp at most 300 s old, \
///      found \"2021-11-29T11:42:55Z\", 3600 s old"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookFreshness {
    tolerance: Duration,
    now: Option<SystemTime>,
}

impl Default for WebhookFreshness {
    fn default() -> Self {
        Self::new(Self::DEFAULT_TOLERANCE)
    }
}

impl WebhookFreshness {
    /// The default tolerance: 5 minutes either side of the clock.
    pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

    /// A check with this tolerance (either side of the clock), on the system clock.
    pub fn new(tolerance: Duration) -> Self {
        WebhookFreshness {
            tolerance,
            now: None,
        }
    }

    /// The same check against the fixed instant `now` instead of the system clock.
    pub fn as_of(mut self, now: SystemTime) -> Self {
        self.now = Some(now);
        self
    }

    /// The tolerance.
    pub fn tolerance(&self) -> Duration {
        self.tolerance
    }

    /// The clock's time now (the fixed instant of [`as_of`](Self::as_of), or the system's), in
    /// UTC milliseconds.
    pub fn now_millis(&self) -> u64 {
        let now = self.now.unwrap_or_else(SystemTime::now);
        now.duration_since(std::time::UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    }

    /// Checks one `X-Tl-Webhook-Timestamp` value: an RFC 3339 date-time
    /// (`YYYY-MM-DDTHH:MM:SS`, an optional fraction of a second, then `Z` or `±HH:MM`) no further
    /// than the tolerance from the clock. Otherwise [`Error::WebhookTimestamp`], whose `problem`
    /// says which: [`Malformed`](TimestampProblem::Malformed),
    /// [`Stale`](TimestampProblem::Stale) or [`Future`](TimestampProblem::Future).
    pub fn check(&self, timestamp: &[u8]) -> Result<(), Error> {
        let text = std::str::from_utf8(timestamp).map_err(|_| {
            Error::webhook_timestamp(TimestampProblem::Malformed, EXAMPLE, "non-UTF-8 bytes")
        })?;
        let (secs, nanos) = parse_rfc3339(text).map_err(|reason| {
            Error::webhook_timestamp(
                TimestampProblem::Malformed,
                EXAMPLE,
                format!("{:?} ({reason})", shorten(text)),
            )
        })?;
        let sent = i128::from(secs) * NANOS_PER_SEC + i128::from(nanos);
        let now = unix_nanos(self.now.unwrap_or_else(SystemTime::now));
        let tolerance = i128::try_from(self.tolerance.as_nanos()).unwrap_or(i128::MAX);
        // Both are within ±2^63 s of the epoch, so the difference cannot overflow an i128.
        let age = now - sent;
        if age > tolerance {
            return Err(Error::webhook_timestamp(
                TimestampProblem::Stale,
                format!(
                    "an {X_TL_WEBHOOK_TIMESTAMP} at most {} old",
                    seconds(tolerance)
                ),
                format!("{:?}, {} old", shorten(text), seconds_up(age)),
            ));
        }
        if -age > tolerance {
            return Err(Error::webhook_timestamp(
                TimestampProblem::Future,
                format!(
                    "an {X_TL_WEBHOOK_TIMESTAMP} at most {} ahead of our clock",
                    seconds(tolerance)
                ),
                format!("{:?}, {} ahead", shorten(text), seconds_up(-age)),
            ));
        }
        Ok(())
    }
}

const NANOS_PER_SEC: i128 = 1_000_000_000;
const NANOS_PER_MILLI: i128 = 1_000_000;

/// Nanoseconds since the Unix epoch (negative before it).
fn unix_nanos(time: SystemTime) -> i128 {
    let nanos = |d: Duration| i128::try_from(d.as_nanos()).unwrap_or(i128::MAX);
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => nanos(after),
        Err(before) => -nanos(before.duration()),
    }
}

/// A non-negative number of nanoseconds as seconds, with milliseconds (truncated) if any.
fn seconds(nanos: i128) -> String {
    let millis = nanos / NANOS_PER_MILLI;
    if millis % 1000 == 0 {
        format!("{} s", millis / 1000)
    } else {
        format!("{}.{:03} s", millis / 1000, millis % 1000)
    }
}

/// Like [`seconds`], rounded up to the millisecond, so that a time just over a tolerance never
/// prints as equal to it.
fn seconds_up(nanos: i128) -> String {
    seconds(nanos.saturating_add(NANOS_PER_MILLI - 1))
}

/// A cursor over the bytes of a timestamp.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Consumes one byte if it is one of `allowed`.
    fn eat(&mut self, allowed: &[u8]) -> Option<u8> {
        let b = self.peek().filter(|b| allowed.contains(b))?;
        self.pos += 1;
        Some(b)
    }

    /// Consumes one of `allowed` or fails with `what`.
    fn expect(&mut self, allowed: &[u8], what: &'static str) -> Result<u8, &'static str> {
        self.eat(allowed).ok_or(what)
    }

    /// Exactly `n` (at most 4) ASCII digits as a number, or `what`.
    fn digits(&mut self, n: usize, what: &'static str) -> Result<u32, &'static str> {
        let mut value = 0u32;
        for _ in 0..n {
            let d = self.peek().filter(u8::is_ascii_digit).ok_or(what)?;
            value = value * 10 + u32::from(d - b'0');
            self.pos += 1;
        }
        Ok(value)
    }

    /// A number of `n` digits in `range`, or `what`.
    fn number(
        &mut self,
        n: usize,
        range: std::ops::RangeInclusive<u32>,
        what: &'static str,
    ) -> Result<u32, &'static str> {
        Some(self.digits(n, what)?)
            .filter(|v| range.contains(v))
            .ok_or(what)
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (month, day) = (i64::from(month), i64::from(day));
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Parses an RFC 3339 `date-time` (section 5.6): `YYYY-MM-DD` `T` `HH:MM:SS`, an optional
/// fraction (`.` and digits; beyond nanoseconds ignored), then `Z` or `±HH:MM`. `T` and `Z` may
/// be lower case; a leap second (`:60`) counts as the next second. Returns the seconds since the
/// Unix epoch and the nanoseconds, or what is wrong.
pub(crate) fn parse_rfc3339(text: &str) -> Result<(i64, u32), &'static str> {
    if text.len() > MAX_TIMESTAMP_LEN {
        return Err("longer than 64 bytes");
    }
    let mut c = Cursor {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let year = i64::from(c.digits(4, "no 4-digit year at the start")?);
    c.expect(b"-", "no '-' after the year")?;
    let month = c.number(2, 1..=12, "no 2-digit month 01-12")?;
    c.expect(b"-", "no '-' after the month")?;
    let day = c.number(
        2,
        1..=days_in_month(year, month),
        "no 2-digit day of that month",
    )?;
    c.expect(b"Tt", "no 'T' between the date and the time")?;
    let hour = c.number(2, 0..=23, "no 2-digit hour 00-23")?;
    c.expect(b":", "no ':' after the hour")?;
    let minute = c.number(2, 0..=59, "no 2-digit minutes 00-59")?;
    c.expect(b":", "no ':' after the minutes")?;
    let second = c.number(2, 0..=60, "no 2-digit seconds 00-60")?;
    let mut nanos = 0u32;
    if c.eat(b".").is_some() {
        let mut count = 0usize;
        while let Some(d) = c.eat(b"0123456789") {
            if count < 9 {
                nanos = nanos * 10 + u32::from(d - b'0');
            }
            count += 1;
        }
        if count == 0 {
            return Err("no digit after '.'");
        }
        for _ in count..9 {
            nanos *= 10;
        }
    }
    let offset = match c.expect(b"Zz+-", "no 'Z' or offset such as +01:00 after the time")? {
        b'Z' | b'z' => 0,
        sign => {
            let hours = c.number(2, 0..=23, "no 2-digit offset hour 00-23")?;
            c.expect(b":", "no ':' in the offset")?;
            let minutes = c.number(2, 0..=59, "no 2-digit offset minutes 00-59")?;
            let offset = i64::from(hours * 3600 + minutes * 60);
            if sign == b'-' { -offset } else { offset }
        }
    };
    if c.peek().is_some() {
        return Err("more after the offset");
    }
    let secs = days_from_civil(year, month, day) * 86_400
        + i64::from(hour * 3600 + minute * 60 + second)
        - offset;
    Ok((secs, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_638_186_175; // 2021-11-29T11:42:55Z

    #[test]
    fn valid_forms() {
        for (text, secs, nanos) in [
            ("2021-11-29T11:42:55Z", T0, 0),
            ("2021-11-29t11:42:55z", T0, 0),
            ("2021-11-29T11:42:55.5Z", T0, 500_000_000),
            ("2021-11-29T11:42:55.123456789Z", T0, 123_456_789),
            ("2021-11-29T11:42:55.1234567891234Z", T0, 123_456_789),
            ("2021-11-29T12:42:55+01:00", T0, 0),
            ("2021-11-29T06:12:55-05:30", T0, 0),
            ("2021-11-29T11:42:55+00:00", T0, 0),
            ("2021-11-29T11:42:55-00:00", T0, 0),
            ("2021-11-30T00:42:55+13:00", T0, 0),
            ("1970-01-01T00:00:00Z", 0, 0),
            ("1969-12-31T23:59:59Z", -1, 0),
            ("2000-02-29T00:00:00Z", 951_782_400, 0),
            ("2016-12-31T23:59:60Z", 1_483_228_800, 0),
            ("0000-01-01T00:00:00Z", -62_167_219_200, 0),
            ("0000-02-29T00:00:00Z", -62_167_219_200 + 59 * 86_400, 0),
            ("9999-12-31T23:59:59Z", 253_402_300_799, 0),
            ("2020-05-18T10:17:47Z", 1_589_797_067, 0),
        ] {
            assert_eq!(parse_rfc3339(text), Ok((secs, nanos)), "{text}");
        }
    }

    #[test]
    fn invalid_forms_say_why() {
        for (text, why) in [
            ("", "year"),
            ("2021", "'-' after the year"),
            ("21-11-29T11:42:55Z", "year"),
            ("+2021-11-29T11:42:55Z", "year"),
            ("2021-1-29T11:42:55Z", "month"),
            ("2021-00-29T11:42:55Z", "month"),
            ("2021-13-29T11:42:55Z", "month"),
            ("2021-11-00T11:42:55Z", "day"),
            ("2021-11-31T11:42:55Z", "day"),
            ("2021-02-29T11:42:55Z", "day"),
            ("1900-02-29T11:42:55Z", "day"),
            ("2021-11-29 11:42:55Z", "'T'"),
            ("2021-11-29", "'T'"),
            ("2021-11-29T24:00:00Z", "hour"),
            ("2021-11-29T11:60:00Z", "minutes"),
            ("2021-11-29T11:42:61Z", "seconds"),
            ("2021-11-29T11:42Z", "':' after the minutes"),
            ("2021-11-29T11:42:55", "'Z' or offset"),
            ("2021-11-29T11:42:55.Z", "digit after '.'"),
            ("2021-11-29T11:42:55,5Z", "'Z' or offset"),
            ("2021-11-29T11:42:55+0100", "':' in the offset"),
            ("2021-11-29T11:42:55+1", "offset hour"),
            ("2021-11-29T11:42:55+24:00", "offset hour"),
            ("2021-11-29T11:42:55+01:60", "offset minutes"),
            ("2021-11-29T11:42:55ZZ", "more after"),
            ("2021-11-29T11:42:55Z ", "more after"),
            (" 2021-11-29T11:42:55Z", "year"),
            ("Mon, 29 Nov 2021 11:42:55 GMT", "year"),
            ("1638186175", "'-' after the year"),
            ("２０２１-11-29T11:42:55Z", "year"),
        ] {
            let err = parse_rfc3339(text).expect_err(text);
            assert!(err.contains(why), "{text:?}: {err}");
        }
        let long = format!("2021-11-29T11:42:55.{}Z", "1".repeat(60));
        assert_eq!(parse_rfc3339(&long), Err("longer than 64 bytes"));
    }

    /// Every truncation, every one-byte change and a sweep of byte strings: no panic, and an
    /// accepted string stays within the years 0000-9999.
    #[test]
    fn no_input_panics() {
        let seeds = [
            "2021-11-29T11:42:55Z",
            "2021-11-29T11:42:55.123+01:00",
            "0000-01-01T00:00:60-23:59",
            "9999-12-31T23:59:60+23:59",
        ];
        let bounds = -62_167_219_200 - 86_400..=253_402_300_800 + 86_400;
        let check = |text: &str| {
            if let Ok((secs, nanos)) = parse_rfc3339(text) {
                assert!(bounds.contains(&secs), "{text}");
                assert!(nanos < 1_000_000_000, "{text}");
            }
        };
        for seed in seeds {
            for end in 0..=seed.len() {
                check(seed.get(..end).unwrap_or(""));
            }
            let bytes = seed.as_bytes();
            for i in 0..bytes.len() {
                for b in 0u8..=127 {
                    let mut mutated = bytes.to_vec();
                    mutated[i] = b;
                    check(std::str::from_utf8(&mutated).unwrap());
                }
            }
        }
        // A deterministic pseudo-random sweep over short strings of timestamp characters.
        let alphabet = b"0123456789-:T.Z+tz ";
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 40) as usize;
            let s: String = (0..len)
                .map(|i| {
                    let k = (state.rotate_left(i as u32 * 5) % alphabet.len() as u64) as usize;
                    alphabet[k] as char
                })
                .collect();
            check(&s);
        }
    }

    #[test]
    fn freshness_either_side() {
        let at = |secs: i64| UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap());
        let stamp = b"2021-11-29T11:42:55Z";
        let default = WebhookFreshness::default();
        assert_eq!(default.tolerance(), Duration::from_secs(300));
        for (now, problem) in [
            (T0, None),
            (T0 + 300, None),
            (T0 - 300, None),
            (T0 + 301, Some(TimestampProblem::Stale)),
            (T0 - 301, Some(TimestampProblem::Future)),
            (T0 + 86_400 * 365, Some(TimestampProblem::Stale)),
        ] {
            let got = default.as_of(at(now)).check(stamp);
            match (problem, got) {
                (None, Ok(())) => {}
                (Some(p), Err(Error::WebhookTimestamp { problem, .. })) if p == problem => {}
                (p, got) => panic!("now {now}: expected {p:?}, found {got:?}"),
            }
        }
        // Sub-second: 300.0001 s old is stale, and the message says so.
        let just_over = UNIX_EPOCH + Duration::new(u64::try_from(T0 + 300).unwrap(), 100_000);
        let err = default.as_of(just_over).check(stamp).unwrap_err();
        assert_eq!(
            err.to_string(),
            "refused webhook timestamp: expected an X-Tl-Webhook-Timestamp at most 300 s old, \
             found \"2021-11-29T11:42:55Z\", 300.001 s old"
        );
        let err = WebhookFreshness::new(Duration::from_millis(1500))
            .as_of(at(T0 - 2))
            .check(stamp)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "refused webhook timestamp: expected an X-Tl-Webhook-Timestamp at most 1.500 s ahead \
             of our clock, found \"2021-11-29T11:42:55Z\", 2 s ahead"
        );
        // A clock before the epoch, and a zero tolerance.
        let before = UNIX_EPOCH - Duration::from_secs(1);
        assert!(
            WebhookFreshness::new(Duration::ZERO)
                .as_of(before)
                .check(b"1969-12-31T23:59:59Z")
                .is_ok()
        );
        assert!(
            WebhookFreshness::new(Duration::MAX)
                .as_of(before)
                .check(b"9999-12-31T23:59:59Z")
                .is_ok()
        );
        // Malformed, with the reason; non-UTF-8.
        let err = default.check(b"2021-11-31T11:42:55Z").unwrap_err();
        assert!(matches!(
            err,
            Error::WebhookTimestamp {
                problem: TimestampProblem::Malformed,
                ..
            }
        ));
        assert_eq!(
            err.to_string(),
            "refused webhook timestamp: expected an RFC 3339 date-time such as \
             2020-05-18T10:17:47Z, found \"2021-11-31T11:42:55Z\" (no 2-digit day of that month)"
        );
        let err = default.check(b"\xff").unwrap_err();
        assert!(err.to_string().ends_with("found non-UTF-8 bytes"), "{err}");
        // The system clock: 2021 is stale, 9999 is ahead.
        for (stamp, expected) in [
            (&stamp[..], TimestampProblem::Stale),
            (b"9999-12-31T23:59:59Z", TimestampProblem::Future),
        ] {
            match default.check(stamp) {
                Err(Error::WebhookTimestamp { problem, .. }) if problem == expected => {}
                other => panic!("expected {expected:?}, found {other:?}"),
            }
        }
    }
}
