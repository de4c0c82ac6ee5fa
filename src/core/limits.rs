//! Resource limits: the largest inputs hwoath reads, so that no input can exhaust memory or time.
//! The CLI, the wasm API and the page all go through the core, so they share these numbers;
//! `docs/limits.md` explains each. An input above a limit is unusable (exit 2, JS throws) with a
//! message naming the limit.
//!
//! A 100,000-token file (about 25 MB of JSON) is well inside every limit.

/// Largest input text (token file, listing page, Graph response) in bytes: 64 MiB.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Most records (JSON items, CSV rows) in one upload, across all its files.
pub const MAX_RECORDS: usize = 200_000;

/// Most JSON values (objects, arrays, strings, numbers, literals, object members) in one
/// document: about 15 per record at [`MAX_RECORDS`]. Stops `[1,1,1,…]` from taking gigabytes
/// before the record count is known.
pub const MAX_JSON_VALUES: usize = 3_000_000;

/// Longest JSON string or CSV cell, in bytes (64 KiB). Token fields are short (a secret is at
/// most 128 characters); a longer value is a mistake or an attack.
pub const MAX_STRING_BYTES: usize = 64 * 1024;

/// Most pages of a Graph listing given with one upload.
pub const MAX_LISTING_PAGES: usize = 1_000;

/// Most devices across all listing pages.
pub const MAX_LISTED_DEVICES: usize = 1_000_000;

/// Largest drift scan or verification window each way, in seconds: 10 years (of 365.25 days).
/// At 30 s that is 10,519,200 steps each way.
pub const MAX_SCAN_SECONDS: u64 = 10 * 31_557_600;

/// Most steps each way a drift scan or a verification window may cover at `period` seconds
/// ([`MAX_SCAN_SECONDS`] of steps; at least 1).
pub fn max_scan_steps(period: u64) -> u64 {
    (MAX_SCAN_SECONDS / period.max(1)).max(1)
}

/// `12345678` → `12,345,678`, for messages.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "the input is N bytes; hwoath reads at most M bytes (64 MiB, docs/limits.md)" when `len` is
/// above [`MAX_INPUT_BYTES`].
pub fn check_input_size(what: &str, len: usize) -> Result<(), String> {
    if len > MAX_INPUT_BYTES {
        return Err(input_too_large(what, Some(len as u64)));
    }
    Ok(())
}

/// The message for an input above [`MAX_INPUT_BYTES`]: its size when known (a file), else
/// "more than" the limit (a stream read only up to one byte past it).
pub fn input_too_large(what: &str, size: Option<u64>) -> String {
    let is = match size {
        Some(n) => format!("is {} bytes ({})", thousands(n as usize), human_bytes(n)),
        None => format!("is more than {} bytes", thousands(MAX_INPUT_BYTES)),
    };
    format!(
        "{what} {is}; hwoath reads at most {} bytes (64 MiB, the input size limit in docs/limits.md): split it",
        thousands(MAX_INPUT_BYTES)
    )
}

/// `70.5 MiB`, `2.0 GiB`: a size in binary units with one decimal.
fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = "bytes";
    for u in UNITS {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    if unit == "bytes" {
        format!("{n} bytes")
    } else {
        format!("{v:.1} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_messages() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(67_108_864), "67,108,864");
        assert_eq!(max_scan_steps(30), 10_519_200);
        assert_eq!(max_scan_steps(0), MAX_SCAN_SECONDS);
        assert!(check_input_size("x", MAX_INPUT_BYTES).is_ok());
        assert!(check_input_size("x", MAX_INPUT_BYTES + 1)
            .unwrap_err()
            .contains("67,108,864"));
        assert_eq!(
            input_too_large("the file", Some(100 * 1024 * 1024)),
            "the file is 104,857,600 bytes (100.0 MiB); hwoath reads at most 67,108,864 bytes (64 MiB, the input size limit in docs/limits.md): split it"
        );
        assert!(input_too_large("the file", None)
            .starts_with("the file is more than 67,108,864 bytes;"));
        assert_eq!(human_bytes(1000), "1000 bytes");
        assert_eq!(human_bytes(3 << 30), "3.0 GiB");
    }
}
