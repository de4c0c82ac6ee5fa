//! The real GnuPG (Debian's `gnupg` 2.2, installed by scripts/bootstrap.sh) in throw-away home
//! folders, for the OpenPGP interoperability tests (tests/pgp_gnupg.rs, tests/leak_scan.rs).
//!
//! Each [`Gpg`] is one GNUPGHOME under the system temp folder (short: gpg-agent's socket path
//! must fit 108 bytes); dropping it stops its gpg-agent and removes the folder. Passphrases go in
//! by file (`--pinentry-mode loopback --passphrase-file`), never as arguments.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// One GnuPG home.
pub struct Gpg {
    pub home: PathBuf,
}

impl Gpg {
    /// A fresh, empty home (mode 0700).
    pub fn new(name: &str) -> Gpg {
        let home = std::env::temp_dir().join(format!("hwoath-gpg-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        Gpg { home }
    }

    /// Runs gpg with `args` (after `--batch --yes --trust-model always`).
    pub fn try_run(&self, args: &[&str]) -> Output {
        Command::new("gpg")
            .env("GNUPGHOME", &self.home)
            .args(["--batch", "--yes", "--quiet", "--trust-model", "always"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("gpg runs (Debian package gnupg, scripts/bootstrap.sh)")
    }

    /// The same, which must succeed; returns stdout.
    pub fn run(&self, args: &[&str]) -> Vec<u8> {
        let out = self.try_run(args);
        assert!(
            out.status.success(),
            "gpg {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// `--pinentry-mode loopback --passphrase-file F`, or an empty passphrase.
    pub fn pass_args(pass: Option<&Path>) -> Vec<String> {
        let mut v = vec!["--pinentry-mode".to_string(), "loopback".to_string()];
        match pass {
            Some(p) => v.extend(["--passphrase-file".to_string(), p.display().to_string()]),
            None => v.extend(["--passphrase".to_string(), String::new()]),
        }
        v
    }

    /// Makes a key: `primary` (certify, sign) and an encryption subkey `sub`, no expiry unless
    /// `expire` (gpg's syntax, e.g. `1d`); `faked` is gpg's `--faked-system-time`. Returns the
    /// primary key's fingerprint.
    pub fn gen_key(
        &self,
        uid: &str,
        primary: &str,
        sub: &str,
        pass: Option<&Path>,
        expire: &str,
        faked: Option<&str>,
    ) -> String {
        let pa = Self::pass_args(pass);
        let mut base: Vec<&str> = pa.iter().map(|s| s.as_str()).collect();
        let faked_arg;
        if let Some(t) = faked {
            faked_arg = t.to_string();
            base.extend(["--faked-system-time", &faked_arg]);
        }
        let mut gen = base.clone();
        gen.extend(["--quick-gen-key", uid, primary, "cert,sign", expire]);
        self.run(&gen);
        let fp = self.fingerprint(uid);
        let mut add = base;
        add.extend(["--quick-add-key", &fp, sub, "encr", expire]);
        self.run(&add);
        fp
    }

    /// The primary key fingerprint of `uid`.
    pub fn fingerprint(&self, uid: &str) -> String {
        let out = String::from_utf8(self.run(&["--with-colons", "--list-keys", uid])).unwrap();
        out.lines()
            .find(|l| l.starts_with("fpr:"))
            .and_then(|l| l.split(':').nth(9))
            .unwrap()
            .to_string()
    }

    /// The encryption subkey's id (16 hex digits) of `uid`.
    pub fn encryption_key_id(&self, uid: &str) -> String {
        let out = String::from_utf8(self.run(&["--with-colons", "--list-keys", uid])).unwrap();
        out.lines()
            .find(|l| {
                l.starts_with("sub:") && l.split(':').nth(11).is_some_and(|c| c.contains('e'))
            })
            .and_then(|l| l.split(':').nth(4))
            .unwrap()
            .to_string()
    }

    /// The armored public key of `uid`.
    pub fn export_public(&self, uid: &str) -> Vec<u8> {
        self.run(&["--armor", "--export", uid])
    }

    /// The armored private key of `uid` (protected as it is in the keyring).
    pub fn export_secret(&self, uid: &str, pass: Option<&Path>) -> Vec<u8> {
        let pa = Self::pass_args(pass);
        let mut v: Vec<&str> = pa.iter().map(|s| s.as_str()).collect();
        v.extend(["--armor", "--export-secret-keys", uid]);
        self.run(&v)
    }

    /// Imports a key file (a private one with its passphrase).
    pub fn import(&self, file: &Path, pass: Option<&Path>) {
        let pa = Self::pass_args(pass);
        let mut v: Vec<&str> = pa.iter().map(|s| s.as_str()).collect();
        let f = file.display().to_string();
        v.extend(["--import", &f]);
        self.run(&v);
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", &self.home)
            .args(["--kill", "all"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

/// A real-shaped Token2 seed file (Graph `#$delta` JSON, pretty, as the vendor sends it) with
/// `n` tokens whose 20-byte keys come from `seed` (xorshift): every key different.
pub fn token_file(n: usize, seed: u64) -> String {
    const A: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut s = seed | 1;
    let mut byte = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 24) as u8
    };
    let mut out = String::from("{\n    \"@context\": \"#$delta\",\n    \"value\": [\n");
    for i in 0..n {
        let key: Vec<u8> = (0..20).map(|_| byte()).collect();
        let mut b32 = String::new();
        let (mut bits, mut v) = (0u32, 0u32);
        for &x in &key {
            v = (v << 8) | u32::from(x);
            bits += 8;
            while bits >= 5 {
                b32.push(A[((v >> (bits - 5)) & 31) as usize] as char);
                bits -= 5;
            }
        }
        out.push_str(&format!(
            "        {{\n            \"@contentId\": \"{}\",\n            \"serialNumber\": \"{}\",\n            \"manufacturer\": \"Token2\",\n            \"model\": \"C202\",\n            \"secretKey\": \"{b32}\",\n            \"timeIntervalInSeconds\": 30,\n            \"hashFunction\": \"hmacsha1\"\n        }}{}\n",
            i + 1,
            2_300_000_000_000u64 + i as u64 + 1,
            if i + 1 < n { "," } else { "" }
        ));
    }
    out.push_str("    ]\n}\n");
    out
}
