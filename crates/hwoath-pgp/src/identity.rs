//! The user ID of a new key (`Name <e-mail>`), built from what the admin types, and the file
//! names the key is saved under.

use crate::error::PgpError;

/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest e-mail address, in bytes (RFC 5321's path limit).
pub const MAX_EMAIL_BYTES: usize = 254;
/// Longest file stem made from a name, in characters.
pub const MAX_STEM_CHARS: usize = 48;

/// Characters nobody can see or that change how text around them is shown: controls, the
/// text-direction controls and the invisible format characters. The same set as the main
/// crate's `hwoath::core::text::needs_escape` (a test in the root package checks every character
/// against it), which this crate cannot depend on.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{ad}' | '\u{34f}' | '\u{61c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
            | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}' | '\u{2800}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}' | '\u{ffa0}' | '\u{fff9}'..='\u{fffb}' | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}' | '\u{e0000}'..='\u{e007f}'
            | '\u{e0100}'..='\u{e01ef}')
}

/// A validated name and e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The name, trimmed.
    pub name: String,
    /// The address, trimmed.
    pub email: String,
}

impl Identity {
    /// Checks the typed name and address (both trimmed first).
    ///
    /// The name: 1 to 100 characters, none of them hidden ([`is_hidden`]) and none of `<`, `>`
    /// (they would change where the address in the user ID starts) — letters of any script,
    /// spaces, digits and punctuation are fine. The address: `local@domain` with one `@`, at most
    /// 254 bytes; the local part ASCII letters, digits and ``!#$%&'*+-/=?^_`{|}~.`` (no leading,
    /// trailing or double dot); the domain two or more labels of ASCII letters, digits and
    /// hyphens (none leading or trailing a label). Messages name positions, never echo the text.
    pub fn new(name: &str, email: &str) -> Result<Self, PgpError> {
        let name = name.trim();
        let bad_name = |reason: String| PgpError::InvalidName { reason };
        if name.is_empty() {
            return Err(bad_name("it is empty".into()));
        }
        let chars = name.chars().count();
        if chars > MAX_NAME_CHARS {
            return Err(bad_name(format!(
                "it has {chars} characters; at most {MAX_NAME_CHARS} are allowed"
            )));
        }
        if let Some((i, c)) = name.chars().enumerate().find(|&(_, c)| is_hidden(c)) {
            return Err(bad_name(format!(
                "character {} is an invisible or control character (U+{:04X})",
                i + 1,
                c as u32
            )));
        }
        if let Some((i, _)) = name
            .chars()
            .enumerate()
            .find(|&(_, c)| c == '<' || c == '>')
        {
            return Err(bad_name(format!(
                "character {} is < or >, which would break the user ID",
                i + 1
            )));
        }
        let email = email.trim();
        check_email(email)?;
        Ok(Identity {
            name: name.to_string(),
            email: email.to_string(),
        })
    }

    /// `Name <e-mail>`, the OpenPGP user ID.
    pub fn user_id(&self) -> String {
        format!("{} <{}>", self.name, self.email)
    }

    /// The stem of the key's file names, made from the name ([`file_stem`]).
    pub fn file_stem(&self) -> String {
        file_stem(&self.name)
    }
}

fn check_email(email: &str) -> Result<(), PgpError> {
    let bad = |reason: &str| PgpError::InvalidEmail {
        reason: reason.to_string(),
    };
    if email.is_empty() {
        return Err(bad("it is empty"));
    }
    if email.len() > MAX_EMAIL_BYTES {
        return Err(bad("it is longer than 254 bytes"));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(bad("it has no @"));
    };
    if domain.contains('@') {
        return Err(bad("it has more than one @"));
    }
    const LOCAL_PUNCT: &str = "!#$%&'*+-/=?^_`{|}~.";
    if local.is_empty() || local.len() > 64 {
        return Err(bad("the part before @ must have 1 to 64 characters"));
    }
    if let Some((i, _)) = local
        .chars()
        .enumerate()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || LOCAL_PUNCT.contains(c)))
    {
        return Err(PgpError::InvalidEmail {
            reason: format!(
                "character {} (before @) is not a letter, digit or one of {LOCAL_PUNCT}",
                i + 1
            ),
        });
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(bad(
            "the part before @ starts or ends with a dot, or has two in a row",
        ));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err(bad("the domain after @ needs a dot (contoso.com)"));
    }
    for l in &labels {
        if l.is_empty() || l.len() > 63 {
            return Err(bad(
                "a part of the domain is empty or longer than 63 characters",
            ));
        }
        if !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(bad(
                "the domain may hold only letters, digits, hyphens and dots (write an international domain in its xn-- form)",
            ));
        }
        if l.starts_with('-') || l.ends_with('-') {
            return Err(bad("a part of the domain starts or ends with a hyphen"));
        }
    }
    Ok(())
}

/// The stem of the key's file names (`<stem>-public-key.asc`, `<stem>-private-key.asc`), made
/// from the typed name so that it is safe on every file system: letters and digits (of any
/// script) lower-cased, every other run of characters (spaces, dots, slashes, backslashes,
/// colons, …) one `-`, none at either end, at most [`MAX_STEM_CHARS`] characters; `openpgp` when
/// nothing is left. It never holds a path separator, a dot or a reserved Windows name alone.
pub fn file_stem(name: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in name.chars() {
        if c.is_alphanumeric() && !is_hidden(c) {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
        if out.chars().count() >= MAX_STEM_CHARS {
            break;
        }
    }
    let out: String = out.chars().take(MAX_STEM_CHARS).collect();
    let out = out.trim_end_matches('-').to_string();
    const RESERVED: &[&str] = &["con", "prn", "aux", "nul", "com1", "lpt1"];
    if out.is_empty() || RESERVED.contains(&out.as_str()) {
        return if out.is_empty() {
            "openpgp".to_string()
        } else {
            format!("{out}-key")
        };
    }
    out
}

/// `DIR`-relative file names for a key made from `name`: (public, private).
pub fn key_file_names(stem: &str) -> (String, String) {
    (
        format!("{stem}-public-key.asc"),
        format!("{stem}-private-key.asc"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_from_typed_values() {
        let id = Identity::new("  Amy Admin ", " amy@contoso.com\n").unwrap();
        assert_eq!(id.user_id(), "Amy Admin <amy@contoso.com>");
        assert_eq!(id.file_stem(), "amy-admin");
        let id = Identity::new("Zoë Ölund-Ström", "zoe.o+tokens@it.contoso.co.uk").unwrap();
        assert_eq!(
            id.user_id(),
            "Zoë Ölund-Ström <zoe.o+tokens@it.contoso.co.uk>"
        );
    }

    #[test]
    fn bad_names_and_addresses_say_why() {
        let name = |n: &str| Identity::new(n, "a@b.cd").unwrap_err().to_string();
        let mail = |m: &str| Identity::new("Amy", m).unwrap_err().to_string();
        assert_eq!(name("   "), "the name cannot be used: it is empty");
        assert_eq!(
            name("Amy\u{202e}nimdA"),
            "the name cannot be used: character 4 is an invisible or control character (U+202E)"
        );
        assert_eq!(
            name("Amy <x@y.z>"),
            "the name cannot be used: character 5 is < or >, which would break the user ID"
        );
        assert!(name(&"a".repeat(101)).contains("101 characters"));
        assert_eq!(mail(""), "the e-mail address cannot be used: it is empty");
        assert_eq!(
            mail("amy"),
            "the e-mail address cannot be used: it has no @"
        );
        assert!(mail("a@b@c.de").contains("more than one @"));
        assert!(mail("amy@localhost").contains("needs a dot"));
        assert!(mail("a my@contoso.com").contains("character 2 (before @)"));
        assert!(mail(".amy@contoso.com").contains("starts or ends with a dot"));
        assert!(mail("amy@-contoso.com").contains("hyphen"));
        assert!(mail("amy@contoso..com").contains("empty"));
        assert!(mail("amy@bücher.de").contains("xn--"));
        assert!(mail("amy@contoso.com>").contains("letters, digits, hyphens"));
    }

    #[test]
    fn file_stems_are_safe() {
        for (name, stem) in [
            ("Amy Admin", "amy-admin"),
            ("../../etc/passwd", "etc-passwd"),
            ("C:\\Users\\amy", "c-users-amy"),
            ("  ...  ", "openpgp"),
            ("Zoë Ölund", "zoë-ölund"),
            ("CON", "con-key"),
            ("a\u{202e}b", "a-b"),
            ("IT-Sicherheit / Team 2", "it-sicherheit-team-2"),
        ] {
            assert_eq!(file_stem(name), stem, "{name}");
        }
        let long = file_stem(&"abc ".repeat(40));
        assert!(long.chars().count() <= MAX_STEM_CHARS && !long.ends_with('-'));
        for s in ["a/b", "a\\b", "a:b", "a.b", "a\0b"] {
            let stem = file_stem(s);
            assert!(
                stem.chars().all(|c| c.is_alphanumeric() || c == '-'),
                "{stem}"
            );
        }
        assert_eq!(
            key_file_names("amy-admin"),
            (
                "amy-admin-public-key.asc".to_string(),
                "amy-admin-private-key.asc".to_string()
            )
        );
    }
}
