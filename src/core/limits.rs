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
        if i > 0 && (s.len() - i) % 3 == 0 {
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
        return Err(format!(
            "{what} is {} bytes; hwoath reads at most {} bytes (64 MiB, the input size limit in docs/limits.md): split it",
            thousands(len),
            thousands(MAX_INPUT_BYTES)
        ));
    }
    Ok(())
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
    }
}
