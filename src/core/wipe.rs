//! A text buffer for secret-bearing output (canonical JSON, request bodies): when it grows, the
//! old allocation is wiped before it is freed, and the whole buffer is wiped when dropped, so no
//! piece of a key is left behind in freed memory (a `Vec` that reallocates leaves its old bytes
//! where they were).

use std::io;

use zeroize::{Zeroize, Zeroizing};

/// Bytes written by `serde_json` (or pushed), kept in one allocation that is wiped on growth and
/// on drop. [`WipeBuf::into_string`] hands the text on without copying it.
#[derive(Default)]
pub struct WipeBuf {
    bytes: Vec<u8>,
}

impl WipeBuf {
    /// An empty buffer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> WipeBuf {
        WipeBuf {
            bytes: Vec::with_capacity(capacity),
        }
    }

    /// Makes room for `more` bytes, moving to a larger allocation (and wiping the old one) when
    /// the current one is full. Inlined: serde_json writes a document in many small pieces, and
    /// nearly every one fits.
    #[inline]
    fn reserve(&mut self, more: usize) {
        if self.bytes.capacity() - self.bytes.len() < more {
            self.grow(more);
        }
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, more: usize) {
        let need = self.bytes.len() + more;
        let mut grown = Vec::with_capacity(need.max(2 * self.bytes.capacity()).max(64));
        grown.extend_from_slice(&self.bytes);
        // `zeroize` on a Vec wipes its whole capacity, then the old allocation is freed.
        self.bytes.zeroize();
        self.bytes = grown;
    }

    /// Appends one byte.
    #[inline]
    pub fn push(&mut self, b: u8) {
        self.reserve(1);
        self.bytes.push(b);
    }

    /// Appends text.
    pub fn push_str(&mut self, s: &str) {
        self.reserve(s.len());
        self.bytes.extend_from_slice(s.as_bytes());
    }

    /// The text written so far, still wiped on drop.
    ///
    /// # Panics
    /// When something other than UTF-8 was written (serde_json writes only UTF-8).
    pub fn into_string(mut self) -> Zeroizing<String> {
        let bytes = std::mem::take(&mut self.bytes);
        Zeroizing::new(String::from_utf8(bytes).expect("serde_json writes UTF-8"))
    }
}

impl io::Write for WipeBuf {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.reserve(buf.len());
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.reserve(buf.len());
        self.bytes.extend_from_slice(buf);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for WipeBuf {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn grows_and_keeps_everything() {
        let mut b = WipeBuf::with_capacity(2);
        b.write_all(b"abc").unwrap();
        b.push(b'd');
        b.push_str("\u{e9}f");
        for _ in 0..100 {
            b.push_str("xyz");
        }
        let s = b.into_string();
        assert!(s.starts_with("abcd\u{e9}fxyz"));
        assert_eq!(s.len(), 7 + 300);
    }
}
