//! OpenPGP interoperability with the real GnuPG (2.2, Debian), through the CLI.
//!
//! One set of material per test run (built once, on first use, in temporary GNUPGHOMEs whose
//! gpg-agents are stopped afterwards): keys made by gpg (RSA-2048 and ed25519+cv25519 with a
//! passphrase, RSA-4096 and ed25519 without), a vendor signing key, a real-shaped token file
//! encrypted to each (binary and armored; every compression; signed and encrypted; password-only;
//! without integrity protection; a compression bomb; expired and revoked keys), and keys made by
//! `hwoath key new` that gpg imports, encrypts to and decrypts with. Each test then checks one
//! behaviour of `hwoath decrypt`, `hwoath key new` and `--key` on the token-file commands, with
//! the exact message of every refusal.
#![cfg(not(target_arch = "wasm32"))]
// A test prints a note about its own set-up time to stderr (clippy.toml is for the CLI).
#![allow(clippy::disallowed_macros)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

use common::gnupg::{token_file, Gpg};

const PASS: &str = "tulip ember canyon frost 42";
const SYM_PASS: &str = "river-lantern-copper-meadow";
const WRONG: &str = "not the passphrase at all";
/// gpg's keys: (file stem, user ID, primary, subkey, protected).
const GPG_KEYS: &[(&str, &str, &str, &str, bool)] = &[
    (
        "ed25519",
        "Ed Admin <ed@contoso.example>",
        "ed25519",
        "cv25519",
        true,
    ),
    (
        "ed25519-nopass",
        "Eve Admin <eve@contoso.example>",
        "ed25519",
        "cv25519",
        false,
    ),
    (
        "rsa2048",
        "Rob Admin <rob@contoso.example>",
        "rsa2048",
        "rsa2048",
        true,
    ),
    (
        "rsa4096",
        "Ria Admin <ria@contoso.example>",
        "rsa4096",
        "rsa4096",
        false,
    ),
];
const VENDOR: &str = "Vendor <seeds@token2.example>";
/// The protected ed25519 key and its passphrase, as `decrypt` arguments.
const ED_KEY: [&str; 4] = [
    "--key",
    "ed25519-private.asc",
    "--passphrase-file",
    "pass.txt",
];

struct Material {
    dir: PathBuf,
    plain: Vec<u8>,
    /// Fingerprints by file stem (gpg's keys, `vendor`, `old`, `rev`, `amy`, `rsa-amy`).
    fp: std::collections::HashMap<String, String>,
    /// Encryption subkey ids by stem.
    enc_id: std::collections::HashMap<String, String>,
    /// gpg's decryption of a message to hwoath's key, with hwoath's private key (ed25519, RSA).
    gpg_decrypted: Vec<Output>,
    /// `gpg --list-packets` of hwoath's private key.
    packets: String,
}

fn write(dir: &Path, name: &str, data: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    p
}

/// The top-level packets of binary OpenPGP data (fixed lengths only, as gpg writes signatures).
fn packets(d: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < d.len() {
        let c = d[i];
        let (h, n) = if c & 0x40 != 0 {
            let l0 = d[i + 1] as usize;
            match l0 {
                0..=191 => (2, l0),
                192..=223 => (3, ((l0 - 192) << 8) + d[i + 2] as usize + 192),
                _ => (
                    6,
                    u32::from_be_bytes(d[i + 2..i + 6].try_into().unwrap()) as usize,
                ),
            }
        } else {
            match c & 3 {
                0 => (2, d[i + 1] as usize),
                1 => (3, u16::from_be_bytes([d[i + 1], d[i + 2]]) as usize),
                _ => (
                    5,
                    u32::from_be_bytes(d[i + 1..i + 5].try_into().unwrap()) as usize,
                ),
            }
        };
        out.push(&d[i..i + h + n]);
        i += h + n;
    }
    out
}

fn hwoath_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hwoath"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn material() -> &'static Material {
    static M: OnceLock<Material> = OnceLock::new();
    M.get_or_init(|| {
        let t0 = Instant::now();
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pgp_gnupg");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let plain = token_file(40, 7).into_bytes();
        let tokens = write(&dir, "tokens.json", &plain);
        let pass = write(&dir, "pass.txt", format!("{PASS}\n"));
        write(&dir, "sym.txt", format!("{SYM_PASS}\n"));
        write(&dir, "wrong.txt", format!("{WRONG}\n"));
        let sym = dir.join("sym.txt");
        let p = |x: &Path| x.display().to_string();
        let out = |name: &str| dir.join(name).display().to_string();
        let mut fp = std::collections::HashMap::new();
        let mut enc_id = std::collections::HashMap::new();

        let g = Gpg::new("m");
        let mut timings = Vec::new();
        for &(stem, uid, primary, sub, protected) in GPG_KEYS {
            let t = Instant::now();
            let kp = protected.then_some(pass.as_path());
            fp.insert(
                stem.to_string(),
                g.gen_key(uid, primary, sub, kp, "never", None),
            );
            timings.push(format!("{stem} {:.1} s", t.elapsed().as_secs_f64()));
            enc_id.insert(stem.to_string(), g.encryption_key_id(uid));
            write(
                &dir,
                &format!("{stem}-private.asc"),
                g.export_secret(uid, kp),
            );
            write(&dir, &format!("{stem}-public.asc"), g.export_public(uid));
            g.run(&[
                "-r",
                uid,
                "--encrypt",
                "-o",
                &out(&format!("{stem}.gpg")),
                &p(&tokens),
            ]);
            g.run(&[
                "-r",
                uid,
                "--armor",
                "--encrypt",
                "-o",
                &out(&format!("{stem}.asc")),
                &p(&tokens),
            ]);
        }
        let ed = GPG_KEYS[0].1;
        // The base for the bit flips: one fixed-length data packet, to a key without passphrase.
        g.run(&[
            "-r",
            GPG_KEYS[1].1,
            "--compress-algo",
            "none",
            "--encrypt",
            "-o",
            &out("flip-base.gpg"),
            &p(&tokens),
        ]);
        for c in ["none", "zip", "zlib", "bzip2"] {
            g.run(&[
                "-r",
                ed,
                "--compress-algo",
                c,
                "--encrypt",
                "-o",
                &out(&format!("c-{c}.gpg")),
                &p(&tokens),
            ]);
        }
        fp.insert(
            "vendor".into(),
            g.gen_key(VENDOR, "ed25519", "cv25519", Some(&pass), "never", None),
        );
        write(&dir, "vendor-public.asc", g.export_public(VENDOR));
        let pa = Gpg::pass_args(Some(&pass));
        let pa: Vec<&str> = pa.iter().map(|s| s.as_str()).collect();
        let signed = |extra: &[&str], name: &str| {
            let mut v = pa.clone();
            v.extend(["-u", VENDOR, "-r", ed, "--sign", "--encrypt"]);
            v.extend(extra);
            let o = out(name);
            v.extend(["-o", &o, tokens.to_str().unwrap()]);
            g.run(&v);
        };
        signed(&[], "signed.gpg");
        signed(&["--armor"], "signed.asc");
        // A bad signature: the one-pass header and signature of one file around another file's
        // literal data (same length), then encrypted as is (--no-literal).
        let a = write(&dir, "a.txt", "AAAA-first-file\n");
        let b = write(&dir, "b.txt", "BBBB-other-file\n");
        for (f, o) in [(&a, "a.sig"), (&b, "b.sig")] {
            let mut v = pa.clone();
            let o = out(o);
            v.extend([
                "-u",
                VENDOR,
                "--compress-algo",
                "none",
                "--sign",
                "-o",
                &o,
                f.to_str().unwrap(),
            ]);
            g.run(&v);
        }
        let (sa, sb) = (
            std::fs::read(dir.join("a.sig")).unwrap(),
            std::fs::read(dir.join("b.sig")).unwrap(),
        );
        let (pa_, pb_) = (packets(&sa), packets(&sb));
        let bad = write(&dir, "bad.sig", [pa_[0], pb_[1], pa_[2]].concat());
        g.run(&[
            "-r",
            ed,
            "--no-literal",
            "--compress-algo",
            "none",
            "--encrypt",
            "-o",
            &out("badsig.gpg"),
            &p(&bad),
        ]);
        // Password-only, and without integrity protection (--rfc2440: SED packets).
        let sa_ = Gpg::pass_args(Some(&sym));
        let sa_: Vec<&str> = sa_.iter().map(|s| s.as_str()).collect();
        for (extra, name) in [
            (&[][..], "sym.gpg"),
            (&["--armor"][..], "sym.asc"),
            (&["--rfc2440"][..], "sed-sym.gpg"),
        ] {
            let mut v = sa_.clone();
            v.extend(extra);
            let o = out(name);
            v.extend(["--symmetric", "-o", &o, tokens.to_str().unwrap()]);
            g.run(&v);
        }
        g.run(&[
            "--rfc2440",
            "-r",
            ed,
            "--encrypt",
            "-o",
            &out("sed-key.gpg"),
            &p(&tokens),
        ]);
        // A compression bomb: 70 MB of zeros, about 70 KB compressed.
        let zeros = write(&dir, "zeros.bin", vec![0u8; 70_000_000]);
        g.run(&[
            "-r",
            ed,
            "--compress-algo",
            "zlib",
            "--encrypt",
            "-o",
            &out("bomb.gpg"),
            &p(&zeros),
        ]);
        std::fs::remove_file(&zeros).unwrap();
        // An expired key (made in 2020, valid for a day) and a revoked one.
        let old = "Old Admin <old@contoso.example>";
        let faked = "20200101T000000";
        fp.insert(
            "old".into(),
            g.gen_key(old, "ed25519", "cv25519", None, "1d", Some(faked)),
        );
        g.run(&[
            "--faked-system-time",
            "20200101T010000",
            "-r",
            old,
            "--encrypt",
            "-o",
            &out("old.gpg"),
            &p(&tokens),
        ]);
        write(&dir, "old-private.asc", g.export_secret(old, None));
        let rev = "Rev Admin <rev@contoso.example>";
        let rev_fp = g.gen_key(rev, "ed25519", "cv25519", None, "never", None);
        g.run(&["-r", rev, "--encrypt", "-o", &out("rev.gpg"), &p(&tokens)]);
        let cert =
            std::fs::read_to_string(g.home.join(format!("openpgp-revocs.d/{rev_fp}.rev"))).unwrap();
        let cert = write(&dir, "rev.rev", cert.replace(":-----BEGIN", "-----BEGIN"));
        g.run(&["--import", &p(&cert)]);
        write(&dir, "rev-private.asc", g.export_secret(rev, None));
        fp.insert("rev".into(), rev_fp);
        drop(g);

        // Keys made by hwoath: gpg imports them (public, and private with the passphrase),
        // encrypts to them, and decrypts with them.
        let h = Gpg::new("h");
        let mut gpg_decrypted = Vec::new();
        let mut packets_text = String::new();
        for (stem, name, extra) in [
            ("amy", "Amy Admin", &[][..]),
            ("rsa-amy", "Rsa Amy", &["--rsa"][..]),
        ] {
            let t = Instant::now();
            let email = format!("{stem}@contoso.example");
            let mut args = vec![
                "key",
                "new",
                "--name",
                name,
                "--email",
                &email,
                "--out",
                ".",
                "--passphrase-file",
                "pass.txt",
            ];
            args.extend(extra);
            let o = hwoath_in(&dir, &args);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            timings.push(format!(
                "hwoath key new {stem} {:.1} s (debug build)",
                t.elapsed().as_secs_f64()
            ));
            let file_stem = hwoath_pgp::file_stem(name);
            let public = dir.join(format!("{file_stem}-public-key.asc"));
            let private = dir.join(format!("{file_stem}-private-key.asc"));
            h.import(&public, None);
            h.import(&private, Some(&pass));
            fp.insert(stem.into(), h.fingerprint(&email));
            enc_id.insert(stem.into(), h.encryption_key_id(&email));
            h.run(&[
                "-r",
                &email,
                "--encrypt",
                "-o",
                &out(&format!("to-{stem}.gpg")),
                &p(&tokens),
            ]);
            h.run(&[
                "-r",
                &email,
                "--armor",
                "--encrypt",
                "-o",
                &out(&format!("to-{stem}.asc")),
                &p(&tokens),
            ]);
            let pa = Gpg::pass_args(Some(&pass));
            let mut v: Vec<&str> = pa.iter().map(|s| s.as_str()).collect();
            let m = out(&format!("to-{stem}.gpg"));
            v.extend(["--decrypt", &m]);
            gpg_decrypted.push(h.try_run(&v));
            if stem == "amy" {
                packets_text = String::from_utf8(h.run(&["--list-packets", &p(&private)])).unwrap();
            }
        }
        drop(h);
        eprintln!(
            "pgp material in {:.1} s: {}",
            t0.elapsed().as_secs_f64(),
            timings.join(", ")
        );
        Material {
            dir,
            plain,
            fp,
            enc_id,
            gpg_decrypted,
            packets: packets_text,
        }
    })
}

/// Runs hwoath in the material folder.
fn run(args: &[&str]) -> Output {
    hwoath_in(&material().dir, args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn groups(hex: &str) -> String {
    hwoath_pgp::fingerprint_groups(hex)
}

/// The one-line refusal `hwoath: FILE: error[CODE]: message`, exit 2, nothing on stdout.
fn assert_refused(args: &[&str], file: &str, code: &str, message: &str) {
    let o = run(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    assert!(o.stdout.is_empty(), "{args:?} wrote to stdout");
    assert_eq!(
        stderr(&o),
        format!("hwoath: {file}: error[{code}]: {message}\n"),
        "{args:?}"
    );
}

fn key_args(stem: &str, protected: bool) -> Vec<String> {
    let mut v = vec!["--key".to_string(), format!("{stem}-private.asc")];
    if protected {
        v.extend(["--passphrase-file".to_string(), "pass.txt".to_string()]);
    }
    v
}

#[test]
fn every_gpg_key_decrypts_armored_and_binary() {
    let m = material();
    for &(stem, uid, _, _, protected) in GPG_KEYS {
        for ext in ["gpg", "asc"] {
            let file = format!("{stem}.{ext}");
            let mut args = vec!["decrypt".to_string(), file.clone()];
            args.extend(key_args(stem, protected));
            let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
            let o = run(&a);
            assert!(o.status.success(), "{file}: {}", stderr(&o));
            assert!(o.stdout == m.plain, "{file}: plaintext differs");
            assert!(
                stderr(&o).starts_with(&format!(
                    "hwoath: decrypted {file} with key {} ({uid}), dated ",
                    groups(&m.fp[stem])
                )),
                "{file}: {}",
                stderr(&o)
            );
        }
    }
}

#[test]
fn every_compression_algorithm() {
    let m = material();
    for (c, shown) in [
        ("none", "MDC)"),
        ("zip", "MDC, zip)"),
        ("zlib", "MDC, zlib)"),
        ("bzip2", "MDC, bzip2)"),
    ] {
        let file = format!("c-{c}.gpg");
        let o = run(&[
            "decrypt",
            &file,
            "--key",
            "ed25519-private.asc",
            "--passphrase-file",
            "pass.txt",
        ]);
        assert!(o.status.success(), "{file}: {}", stderr(&o));
        assert!(o.stdout == m.plain, "{file}");
        let e = stderr(&o);
        assert!(
            e.trim_end()
                .ends_with(&format!("({} bytes, AES256, {shown}", m.plain.len())),
            "{file}: {e}"
        );
    }
}

#[test]
fn signed_and_encrypted_messages() {
    let m = material();
    let key = ED_KEY;
    for file in ["signed.gpg", "signed.asc"] {
        // Without the sender's key: decrypted, exit 0, the signature reported as not checked.
        let mut a = vec!["decrypt", file];
        a.extend(key);
        let o = run(&a);
        assert!(
            o.status.success() && o.stdout == m.plain,
            "{file}: {}",
            stderr(&o)
        );
        assert!(stderr(&o).ends_with(
            "hwoath: note: the signature was not checked: no sender key was given to check it (the sender's public key checks it)\n"
        ));
        // With it: verified, the signer's fingerprint named.
        a.extend(["--verify-with", "vendor-public.asc"]);
        let o = run(&a);
        assert!(
            o.status.success() && o.stdout == m.plain,
            "{file}: {}",
            stderr(&o)
        );
        let e = stderr(&o);
        let good = format!(
            "hwoath: good signature by the sender's key {}, made ",
            groups(&m.fp["vendor"])
        );
        assert!(
            e.lines().nth(1).is_some_and(|l| l.starts_with(&good)),
            "{e}"
        );
    }
    // Another key given as the sender's: the signature cannot be checked; said, not hidden.
    let mut a = vec![
        "decrypt",
        "signed.gpg",
        "--verify-with",
        "ed25519-public.asc",
    ];
    a.extend(key);
    let o = run(&a);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).ends_with(&format!(
        "hwoath: note: the signature was not checked: signed by key {}, not by the sender's key given ({})\n",
        groups(&m.fp["vendor"]),
        groups(&m.fp["ed25519"])
    )));
    // A bad signature is an error, and no plaintext is written.
    let mut a = vec![
        "decrypt",
        "badsig.gpg",
        "--verify-with",
        "vendor-public.asc",
    ];
    a.extend(key);
    assert_refused(&a, "badsig.gpg", "PGP020", &format!(
        "BAD signature by the sender's key {}: the message was altered after it was signed, or was not signed by that key; nothing of it was used",
        groups(&m.fp["vendor"])
    ));
}

#[test]
fn password_only_messages() {
    let m = material();
    for file in ["sym.gpg", "sym.asc"] {
        let o = run(&["decrypt", file, "--passphrase-file", "sym.txt"]);
        assert!(
            o.status.success() && o.stdout == m.plain,
            "{file}: {}",
            stderr(&o)
        );
        assert!(stderr(&o).starts_with(&format!(
            "hwoath: decrypted {file} with its passphrase, dated "
        )));
        assert_refused(&["decrypt", file, "--passphrase-file", "wrong.txt"], file, "PGP009",
            "wrong passphrase for this password-only message (or the message was altered: without a key the two cannot be told apart); nothing of it was used");
        assert_refused(&["decrypt", file, "--key", "ed25519-private.asc", "--passphrase-file", "pass.txt"], file, "PGP011",
            "the message is encrypted with a passphrase only, not to a key: give the passphrase without a private key");
    }
    // No terminal to ask on, and no passphrase option: said how to give one.
    let o = run(&["decrypt", "sym.gpg"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o), "hwoath: no terminal to ask for the passphrase: use --passphrase-file PATH or --passphrase-fd N\n");
    // --passphrase-fd 0: the first line of standard input.
    let mut child = Command::new(env!("CARGO_BIN_EXE_hwoath"))
        .args(["decrypt", "sym.gpg", "--passphrase-fd", "0"])
        .current_dir(&m.dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{SYM_PASS}\r\nignored\n").as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success() && o.stdout == m.plain, "{}", stderr(&o));
    let o = run(&["decrypt", "-", "--passphrase-fd", "0"]);
    assert_eq!(
        stderr(&o),
        "hwoath: standard input holds the file; give the passphrase another way (--passphrase-file, or the prompt)\n"
    );
}

#[test]
fn every_bad_input_has_its_one_error() {
    let m = material();
    let ed = ED_KEY;
    let with = |file: &'static str, extra: &[&'static str]| -> Vec<&'static str> {
        let mut v = vec!["decrypt", file];
        v.extend(extra);
        v
    };
    let ed_fp = groups(&m.fp["ed25519"]);
    assert_refused(
        &with(
            "ed25519.gpg",
            &[
                "--key",
                "ed25519-private.asc",
                "--passphrase-file",
                "wrong.txt",
            ],
        ),
        "ed25519.gpg",
        "PGP008",
        &format!("wrong passphrase for the private key {ed_fp}"),
    );
    // The wrong key: the message's recipient and the key given (primary and subkey ids).
    let given = format!("{} and {}", &m.fp["ed25519"][24..], m.enc_id["ed25519"]);
    assert_refused(&with("rsa2048.gpg", &ed), "rsa2048.gpg", "PGP007", &format!(
        "the message is encrypted to key {r} but the key given is {given}: give the private key for {r}",
        r = m.enc_id["rsa2048"]
    ));
    assert_refused(
        &with("rsa2048.gpg", &[]),
        "rsa2048.gpg",
        "PGP010",
        &format!(
            "the message is encrypted to key {}: give the private key",
            m.enc_id["rsa2048"]
        ),
    );
    assert_refused(&with("ed25519.gpg", &["--key", "ed25519-public.asc", "--passphrase-file", "pass.txt"]), "ed25519.gpg", "PGP013",
        &format!("the key given is the public key {ed_fp}; decrypting needs the private key (the …-private-key.asc file)"));
    assert_refused(&with("ed25519.gpg", &["--key", "tokens.json"]), "ed25519.gpg", "PGP014",
        "the private key is not an OpenPGP key (expected -----BEGIN PGP PRIVATE KEY BLOCK----- or -----BEGIN PGP PUBLIC KEY BLOCK-----, or the same in binary)");
    let sed = "the message is encrypted without integrity protection (a Symmetrically Encrypted Data packet, no MDC): refused, as such data can be altered unnoticed (the EFAIL class of attack); ask the sender to encrypt again with a current OpenPGP tool";
    assert_refused(&with("sed-key.gpg", &ed), "sed-key.gpg", "PGP006", sed);
    assert_refused(
        &with("sed-sym.gpg", &["--passphrase-file", "sym.txt"]),
        "sed-sym.gpg",
        "PGP006",
        sed,
    );
    assert_refused(&with("bomb.gpg", &ed), "bomb.gpg", "PGP018",
        "the message decompresses to more than 67,108,864 bytes (64 MiB, the decompressed-size limit in docs/limits.md): refused as a possible compression bomb; nothing of it was used");
    assert_refused(
        &with("old.gpg", &["--key", "old-private.asc"]),
        "old.gpg",
        "PGP015",
        &format!(
            "the private key {} expired on 2020-01-02 (UTC)",
            groups(&m.fp["old"])
        ),
    );
    assert_refused(
        &with("rev.gpg", &["--key", "rev-private.asc"]),
        "rev.gpg",
        "PGP016",
        &format!(
            "the private key {} is revoked: its owner declared it must not be used",
            groups(&m.fp["rev"])
        ),
    );
    assert_refused(&with("a.sig", &ed), "a.sig", "PGP002",
        "an OpenPGP message, but not an encrypted one (signed or plain only): there is nothing to decrypt");
    assert_refused(
        &with("tokens.json", &ed),
        "tokens.json",
        "PGP001",
        "not an OpenPGP message (neither OpenPGP packets nor a -----BEGIN PGP MESSAGE----- block)",
    );

    // Truncated and bit-flipped copies, binary and armored.
    let dir = &m.dir;
    let bin = std::fs::read(dir.join("ed25519.gpg")).unwrap();
    let arm = std::fs::read(dir.join("ed25519.asc")).unwrap();
    let truncated = "the encrypted message is truncated (it ends inside a packet): copy or download the whole file again; nothing was decrypted";
    for (name, data) in [
        ("cut-head.gpg", bin[..30].to_vec()),
        ("cut-tail.gpg", bin[..bin.len() - 1].to_vec()),
        ("cut.asc", arm[..arm.len() / 2].to_vec()),
    ] {
        write(dir, name, data);
        let file: &'static str = Box::leak(name.to_string().into_boxed_str());
        assert_refused(&with(file, &ed), file, "PGP003", truncated);
    }
    let integrity = "the integrity check failed: the encrypted message was altered or damaged after it was encrypted; nothing of it was used";
    // Bytes across the encrypted data packet's body (flip-base.gpg: one fixed-length packet after
    // the session key packet), about forty of them.
    let plain_bin = std::fs::read(dir.join("flip-base.gpg")).unwrap();
    let nopass = ["--key", "ed25519-nopass-private.asc"];
    let seipd = packets(&plain_bin)[1].as_ptr() as usize - plain_bin.as_ptr() as usize;
    let body = seipd + 6 + 1; // 5-octet length header, then the version octet
    let mut flipped = 0;
    for at in (body..plain_bin.len()).step_by((plain_bin.len() - body) / 40) {
        let mut b = plain_bin.clone();
        b[at] ^= 0x10;
        write(dir, "flip.gpg", &b);
        let o = run(&with("flip.gpg", &nopass));
        assert_eq!(o.status.code(), Some(2));
        assert!(o.stdout.is_empty());
        assert_eq!(
            stderr(&o),
            format!("hwoath: flip.gpg: error[PGP005]: {integrity}\n"),
            "byte {at}"
        );
        flipped += 1;
    }
    assert!(flipped >= 40);
    assert_eq!(plain_bin[seipd], 0xd2, "flip-base.gpg's data packet header");
    // A changed byte in the session key packet: it no longer decrypts.
    let mut b = bin.clone();
    b[20] ^= 0x40;
    write(dir, "flip-esk.gpg", &b);
    assert_refused(&with("flip-esk.gpg", &ed), "flip-esk.gpg", "PGP004",
        "the encrypted message is damaged (a malformed packet or a bad armor checksum): get the file again; nothing was decrypted");
    // A changed character in the armor's base64.
    let text = String::from_utf8(arm.clone()).unwrap();
    let body = text.find("\n\n").unwrap() + 2 + 200;
    let mut t = text.into_bytes();
    t[body] = if t[body] == b'A' { b'B' } else { b'A' };
    write(dir, "flip.asc", &t);
    assert_refused(&with("flip.asc", &ed), "flip.asc", "PGP005", integrity);
}

#[test]
fn keys_made_by_hwoath_work_with_gnupg() {
    let m = material();
    // gpg decrypted, with hwoath's private key and its passphrase, a message to that key.
    for (o, stem) in m.gpg_decrypted.iter().zip(["amy", "rsa-amy"]) {
        assert!(
            o.status.success(),
            "{stem}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(o.stdout == m.plain, "{stem}: gpg's plaintext differs");
    }
    // hwoath decrypts what gpg encrypted to them.
    for (stem, file_stem, uid) in [
        ("amy", "amy-admin", "Amy Admin <amy@contoso.example>"),
        ("rsa-amy", "rsa-amy", "Rsa Amy <rsa-amy@contoso.example>"),
    ] {
        for ext in ["gpg", "asc"] {
            let file = format!("to-{stem}.{ext}");
            let key = format!("{file_stem}-private-key.asc");
            let o = run(&[
                "decrypt",
                &file,
                "--key",
                &key,
                "--passphrase-file",
                "pass.txt",
            ]);
            assert!(
                o.status.success() && o.stdout == m.plain,
                "{file}: {}",
                stderr(&o)
            );
            assert!(stderr(&o).starts_with(&format!(
                "hwoath: decrypted {file} with key {} ({uid}), dated ",
                groups(&m.fp[stem])
            )));
        }
    }
    // The private key's protection, as gpg reads it: S2K usage 254 (SHA-1 check), iterated and
    // salted S2K (mode 3) with SHA-256 (hash 8), AES-256 (algo 9), the largest count.
    let protected = m
        .packets
        .lines()
        .filter(|l| l.contains("iter+salt S2K"))
        .count();
    assert_eq!(protected, 2, "{}", m.packets);
    assert_eq!(
        m.packets.matches("protect count: 65011712 (255)").count(),
        2,
        "{}",
        m.packets
    );
    assert_eq!(m.packets.matches("\tprotect IV: ").count(), 2);
    assert!(
        m.packets
            .contains("iter+salt S2K, algo: 9, SHA1 protection, hash: 8"),
        "{}",
        m.packets
    );
    assert!(
        m.packets
            .contains(":secret key packet:\n\tversion 4, algo 22,"),
        "{}",
        m.packets
    );
    assert!(
        m.packets
            .contains(":secret sub key packet:\n\tversion 4, algo 18,"),
        "{}",
        m.packets
    );
    assert!(m
        .packets
        .contains(":user ID packet: \"Amy Admin <amy@contoso.example>\""));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |f: &str| {
            std::fs::metadata(m.dir.join(f))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("amy-admin-private-key.asc"), 0o600);
        assert_eq!(mode("amy-admin-public-key.asc") & 0o600, 0o600);
    }
}

#[test]
fn key_new_refuses_with_reasons() {
    let m = material();
    let dir = m.dir.join("keynew");
    std::fs::create_dir_all(&dir).unwrap();
    let weak = write(&dir, "weak.txt", "Password1234\n");
    let empty = write(&dir, "empty.txt", "\n");
    let good = m.dir.join("pass.txt");
    let new = |extra: &[&str], pass: &Path| {
        let p = pass.display().to_string();
        let mut v = vec![
            "key",
            "new",
            "--name",
            "Zoë O'Neil",
            "--email",
            "zoe@contoso.example",
            "--out",
            ".",
            "--passphrase-file",
            &p,
        ];
        v.extend(extra);
        hwoath_in(&dir, &v)
    };
    let o = new(&[], &weak);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o), "hwoath: key: error[PGP022]: the passphrase is too weak: only 1 of its characters are outside obvious patterns (repeats, sequences such as abc or 321, keyboard runs such as qwerty, common passwords, the key's name or e-mail); at least 8 are needed (four or more unrelated words make a good one) (override: --allow-weak-passphrase / allowWeakPassphrase)\n");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        2,
        "nothing written"
    );
    let o = new(&["--allow-weak-passphrase"], &empty);
    assert_eq!(stderr(&o), "hwoath: key: error[PGP022]: the passphrase is too weak: it is empty, and the private key would be stored unprotected (not even --allow-weak-passphrase allows that) (override: --allow-weak-passphrase / allowWeakPassphrase)\n");
    let o = new(&["--allow-weak-passphrase"], &weak);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.starts_with(
            "Public key:  ./zoë-o-neil-public-key.asc  (send this file to the vendor)\n"
        ),
        "{out}"
    );
    let fp_line = out
        .lines()
        .find(|l| l.starts_with("Fingerprint: "))
        .unwrap();
    assert_eq!(fp_line.len(), "Fingerprint: ".len() + 49);
    // The files exist now: never overwritten unless --force.
    let o = new(&[], &good);
    assert_eq!(stderr(&o), "hwoath: ./zoë-o-neil-public-key.asc already exists; nothing was written (--force replaces it)\n");
    let before = std::fs::read(dir.join("zoë-o-neil-private-key.asc")).unwrap();
    let o = new(&["--force"], &good);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_ne!(
        std::fs::read(dir.join("zoë-o-neil-private-key.asc")).unwrap(),
        before
    );
    // Bad names, addresses and folders, before any passphrase is asked.
    let o = hwoath_in(
        &dir,
        &[
            "key",
            "new",
            "--name",
            "Amy\u{202e}x",
            "--email",
            "a@b.example",
            "--out",
            ".",
        ],
    );
    assert_eq!(stderr(&o), "hwoath: key: error[PGP023]: the name cannot be used: character 4 is an invisible or control character (U+202E)\n");
    let o = hwoath_in(
        &dir,
        &[
            "key", "new", "--name", "Amy", "--email", "amy", "--out", ".",
        ],
    );
    assert_eq!(
        stderr(&o),
        "hwoath: key: error[PGP024]: the e-mail address cannot be used: it has no @\n"
    );
    let o = hwoath_in(
        &dir,
        &[
            "key",
            "new",
            "--name",
            "Amy",
            "--email",
            "amy@contoso.example",
            "--out",
            "weak.txt",
        ],
    );
    assert_eq!(stderr(&o), "hwoath: weak.txt is not a folder\n");
    // decrypt --out never replaces a file either.
    let o = run(&[
        "decrypt",
        "sym.gpg",
        "--passphrase-file",
        "sym.txt",
        "--out",
        "tokens.json",
    ]);
    assert_eq!(
        stderr(&o),
        "hwoath: tokens.json already exists; nothing was written\n"
    );
    let o = run(&[
        "decrypt",
        "sym.gpg",
        "--passphrase-file",
        "sym.txt",
        "--out",
        "keynew/plain.json",
    ]);
    assert!(o.status.success());
    assert!(std::fs::read(m.dir.join("keynew/plain.json")).unwrap() == m.plain);
}

#[test]
fn token_commands_read_encrypted_files_without_writing_plaintext() {
    let m = material();
    let empty = m.dir.join("empty-cwd");
    let tmp = m.dir.join("empty-tmp");
    for d in [&empty, &tmp] {
        std::fs::create_dir_all(d).unwrap();
    }
    let abs = |f: &str| m.dir.join(f).display().to_string();
    let (msg, key, pass, plain) = (
        abs("ed25519.gpg"),
        abs("ed25519-private.asc"),
        abs("pass.txt"),
        abs("tokens.json"),
    );
    let (sym, sym_pass) = (abs("sym.asc"), abs("sym.txt"));
    for cmd in [
        vec!["validate"],
        vec!["validate", "--json"],
        vec!["normalize"],
        vec!["variants", "--json"],
        vec!["graph", "--request", "create-bulk", "--time", "1700000000"],
    ] {
        let run_with = |file: &str, extra: &[&str]| {
            let mut v = vec![cmd[0], file];
            v.extend(&cmd[1..]);
            v.extend(extra);
            Command::new(env!("CARGO_BIN_EXE_hwoath"))
                .args(&v)
                .current_dir(&empty)
                .env("TMPDIR", &tmp)
                .stdin(Stdio::null())
                .output()
                .unwrap()
        };
        let expected = run_with(&plain, &[]);
        assert!(expected.status.success(), "{cmd:?}");
        let fix = |o: &Output, file: &str| String::from_utf8_lossy(&o.stdout).replace(file, "FILE");
        let o = run_with(&msg, &["--key", &key, "--passphrase-file", &pass]);
        assert_eq!(
            o.status.code(),
            expected.status.code(),
            "{cmd:?}: {}",
            stderr(&o)
        );
        assert_eq!(fix(&o, &msg), fix(&expected, &plain), "{cmd:?}");
        assert!(stderr(&o).starts_with("hwoath: decrypted "), "{cmd:?}");
        let o = run_with(&sym, &["--passphrase-file", &sym_pass]);
        assert_eq!(
            fix(&o, &sym),
            fix(&expected, &plain),
            "{cmd:?} password-only"
        );
        for d in [&empty, &tmp] {
            assert_eq!(
                std::fs::read_dir(d).unwrap().count(),
                0,
                "{cmd:?} wrote a file"
            );
        }
    }
    // Without --key for a file encrypted to a key: the refusal says which key.
    let o = hwoath_in(&empty, &["validate", &msg]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("error[PGP010]"), "{}", stderr(&o));
}

#[test]
fn the_pgp_crate_agrees_with_the_core() {
    // Its limits are the token-file limits: a decrypted file is read as a token file.
    assert_eq!(
        hwoath_pgp::limits::MAX_MESSAGE_BYTES,
        hwoath::core::limits::MAX_INPUT_BYTES
    );
    assert_eq!(
        hwoath_pgp::limits::MAX_PLAINTEXT_BYTES,
        hwoath::core::limits::MAX_INPUT_BYTES
    );
    // Its hidden characters (refused in a key's name) are the ones the core escapes.
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        assert_eq!(
            hwoath_pgp::identity::is_hidden(c),
            hwoath::core::text::needs_escape(c),
            "U+{:04X}",
            c as u32
        );
    }
}
