//! The public-data base64url codec: table-driven, safe Rust, strict.
//!
//! Encoding looks up 12 bits at a time in a 4096-entry table of character pairs (8 KiB, in L1),
//! six input bytes per step; decoding looks up each character in one of four 256-entry tables
//! that place its six bits where they belong in a 24-bit group and mark a character outside the
//! alphabet with a bit above the group, so that one OR of the lookups decodes a group and one
//! test finds any invalid character. On this workspace's benchmark machine that is about twice
//! as fast as the `base64` crate's general-purpose engine in both directions (`b64` group in
//! BENCHMARKS.md). The last one to three characters go through the `base64` crate, which checks
//! the canonical trailing bits, so the two are equally strict (a test compares their verdicts).
//!
//! The lookups' timing depends on the data: this codec is for public bytes only (see the
//! parent module).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Marks a character outside the alphabet in a decoding table entry (above the 24 data bits).
const INVALID: u32 = 0xff00_0000;

/// The two characters of each 12-bit value.
static PAIRS: [[u8; 2]; 4096] = pairs();

/// The four decoding tables: the character's six bits shifted to its place in a 24-bit group.
static DECODE: [[u32; 256]; 4] = decode_tables();

// Evaluated at compile time: an index out of bounds would fail the build, not a caller.
#[allow(clippy::indexing_slicing)]
const fn pairs() -> [[u8; 2]; 4096] {
    let mut table = [[0u8; 2]; 4096];
    let mut i = 0;
    while i < 4096 {
        table[i] = [ALPHABET[i >> 6], ALPHABET[i & 63]];
        i += 1;
    }
    table
}

#[allow(clippy::indexing_slicing)]
const fn decode_tables() -> [[u32; 256]; 4] {
    let mut tables = [[INVALID; 256]; 4];
    let mut value = 0;
    while value < 64 {
        let c = ALPHABET[value] as usize;
        let mut place = 0;
        while place < 4 {
            tables[place][c] = (value as u32) << (18 - 6 * place);
            place += 1;
        }
        value += 1;
    }
    tables
}

#[inline(always)]
fn pair(index: u64) -> [u8; 2] {
    // The mask keeps the index below 4096, so `get` never misses (and compiles to a plain load).
    PAIRS
        .get((index & 0xfff) as usize)
        .copied()
        .unwrap_or_default()
}

#[inline(always)]
fn lookup(place: usize, c: u8) -> u32 {
    DECODE
        .get(place)
        .and_then(|table| table.get(usize::from(c)))
        .copied()
        .unwrap_or(INVALID)
}

/// Encodes `input` into the start of `out`, returning the number of characters written; `out`
/// must hold at least `encoded_len(input.len())` bytes (the caller sizes it), else the encoding
/// stops short and the shorter count is returned.
pub(super) fn encode_to_slice(input: &[u8], out: &mut [u8]) -> usize {
    let mut written = 0;
    let blocks = input.chunks_exact(6);
    let tail = blocks.remainder();
    for (src, dst) in blocks.zip(out.chunks_exact_mut(8)) {
        let &[a, b, c, d, e, f] = src else { break };
        let v = u64::from(a) << 40
            | u64::from(b) << 32
            | u64::from(c) << 24
            | u64::from(d) << 16
            | u64::from(e) << 8
            | u64::from(f);
        let [p, q] = pair(v >> 36);
        let [r, s] = pair(v >> 24);
        let [t, u] = pair(v >> 12);
        let [w, x] = pair(v);
        dst.copy_from_slice(&[p, q, r, s, t, u, w, x]);
        written += 8;
    }
    let done = input.len() - tail.len();
    if written / 8 * 6 != done {
        return written;
    }
    written
        + out
            .get_mut(written..)
            .and_then(|rest| URL_SAFE_NO_PAD.encode_slice(tail, rest).ok())
            .unwrap_or(0)
}

/// Decodes unpadded base64url `text` into the start of `out`, strictly (no padding, no character
/// outside the URL-safe alphabet, no length 4n+1, no non-zero trailing bits), returning the
/// number of bytes written. `out` must hold at least `text.len() / 4 * 3 + 2` bytes.
pub(super) fn decode_to_slice(text: &[u8], out: &mut [u8]) -> Result<usize, ()> {
    let full = text.len() / 4 * 4;
    // The last one to three characters (a partial group) go to the base64 crate, which checks
    // their trailing bits; a length of 4n+1 is refused there too.
    let (body, tail) = text.split_at(full);
    let mut written = 0;
    let mut bad = 0u32;
    let mut groups = body.chunks_exact(8);
    for (src, dst) in (&mut groups).zip(out.chunks_exact_mut(6)) {
        let &[a, b, c, d, e, f, g, h] = src else {
            break;
        };
        let v = lookup(0, a) | lookup(1, b) | lookup(2, c) | lookup(3, d);
        let w = lookup(0, e) | lookup(1, f) | lookup(2, g) | lookup(3, h);
        bad |= v | w;
        let [_, v0, v1, v2] = v.to_be_bytes();
        let [_, w0, w1, w2] = w.to_be_bytes();
        dst.copy_from_slice(&[v0, v1, v2, w0, w1, w2]);
        written += 6;
    }
    let rest = groups.remainder();
    if let &[a, b, c, d] = rest {
        let v = lookup(0, a) | lookup(1, b) | lookup(2, c) | lookup(3, d);
        bad |= v;
        let [_, v0, v1, v2] = v.to_be_bytes();
        out.get_mut(written..written + 3)
            .ok_or(())?
            .copy_from_slice(&[v0, v1, v2]);
        written += 3;
    }
    if bad & INVALID != 0 || written / 3 * 4 != full {
        return Err(());
    }
    if tail.is_empty() {
        return Ok(written);
    }
    let mut last = [0u8; 3];
    let n = URL_SAFE_NO_PAD
        .decode_slice(tail, &mut last)
        .map_err(|_| ())?;
    out.get_mut(written..written + n)
        .ok_or(())?
        .copy_from_slice(last.get(..n).ok_or(())?);
    Ok(written + n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn encode(input: &[u8]) -> String {
        let mut out = vec![0u8; input.len().div_ceil(3) * 4];
        let n = encode_to_slice(input, &mut out);
        out.truncate(n);
        String::from_utf8(out).unwrap()
    }

    fn decode(text: &[u8]) -> Result<Vec<u8>, ()> {
        let mut out = vec![0u8; text.len() / 4 * 3 + 2];
        let n = decode_to_slice(text, &mut out)?;
        out.truncate(n);
        Ok(out)
    }

    #[test]
    fn known_answers() {
        for (raw, text) in [
            (&b""[..], ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"fooba", "Zm9vYmE"),
            (b"foobar", "Zm9vYmFy"),
            (b"\xfb\xff\xbf", "-_-_"),
        ] {
            assert_eq!(encode(raw), text);
            assert_eq!(decode(text.as_bytes()).unwrap(), raw);
        }
        for bad in [
            "Zg=", "Zm9v=", "Z", "Zh", "Zm9", "Zm+v", "Zm/v", "Zm9 ", "Zm9v\n", "é",
        ] {
            let verdict = decode(bad.as_bytes());
            assert_eq!(
                verdict.is_err(),
                URL_SAFE_NO_PAD.decode(bad).is_err(),
                "{bad:?}"
            );
        }
        assert!(decode(b"Zh").is_err(), "non-canonical trailing bits");
    }

    proptest! {
        #[test]
        fn encodes_as_the_base64_crate(input in proptest::collection::vec(any::<u8>(), 0..200)) {
            prop_assert_eq!(encode(&input), URL_SAFE_NO_PAD.encode(&input));
        }

        /// Any text, mostly from the alphabet with a few strangers: the same verdict and the
        /// same bytes as the base64 crate's strict engine.
        #[test]
        fn decodes_as_the_base64_crate(
            text in proptest::collection::vec(
                prop_oneof![
                    20 => proptest::sample::select(ALPHABET.to_vec()),
                    1 => any::<u8>(),
                ],
                0..80,
            )
        ) {
            let ours = decode(&text);
            let theirs = URL_SAFE_NO_PAD.decode(&text).map_err(|_| ());
            prop_assert_eq!(ours, theirs);
        }
    }
}
