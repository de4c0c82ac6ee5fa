//! Passphrases: a wiped container, and the one strength rule used by the CLI, the JS API and the
//! page (docs/openpgp.md, "Passphrase rule").
//!
//! A passphrase is strong enough when it has at least [`MIN_CHARS`] characters, of which at
//! least [`MIN_UNPATTERNED`] are not part of an obvious pattern. A character is part of a
//! pattern when it
//! - lies inside a common password or word (a short list: `password`, `qwerty`, `letmein`,
//!   `admin`, …; see [`COMMON`]) or inside the name or e-mail given for the key (parts of three
//!   or more characters), case-insensitively;
//! - repeats the character before it (`aaa`), or continues a sequence from it by one step up or
//!   down (`abc`, `321`), or follows it on a keyboard row (`qwe`, `asd`, `zxc`, `uiop`);
//! - ends a run of three characters that already occurred earlier (`Tulip!Tulip!`: the second
//!   `Tulip!` adds one character, not six).
//!
//! So `correct horse battery staple` and `tulip-ember-canyon-frost` pass; `Password1234`,
//! `qwertyuiopasdf`, `aaaaaaaaaaaaaaaa` and `Tulip!Tulip!Tulip!` do not. This is a floor against
//! the guesses every cracker tries first, not an entropy estimate: a good passphrase is four or
//! more unrelated words.

use std::fmt;

use zeroize::Zeroizing;

/// Fewest characters (Unicode scalar values) a passphrase may have.
pub const MIN_CHARS: usize = 12;

/// Fewest characters outside obvious patterns (see the module docs).
pub const MIN_UNPATTERNED: usize = 8;

/// The common passwords and words whose characters count as a pattern (lower case).
pub const COMMON: &[&str] = &[
    "password",
    "passwort",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "passphrase",
    "motdepasse",
    "contrasena",
    "qwerty",
    "qwertz",
    "azerty",
    "1q2w3e4r",
    "zaq12wsx",
    "letmein",
    "welcome",
    "admin",
    "administrator",
    "changeme",
    "secret",
    "private",
    "iloveyou",
    "monkey",
    "dragon",
    "master",
    "login",
    "hwoath",
    "token",
    "openpgp",
    "gnupg",
];

/// Keyboard rows (QWERTY, QWERTZ, AZERTY) and the digit row; a character that follows the one
/// before it on a row, either way, continues a keyboard run.
const ROWS: &[&str] = &[
    "1234567890",
    "qwertyuiop",
    "qwertzuiop",
    "azertyuiop",
    "asdfghjkl",
    "qsdfghjklm",
    "zxcvbnm",
    "yxcvbnm",
    "wxcvbn",
];

/// A passphrase, wiped when dropped. Its `Debug` never shows it; it has no `Display`.
#[derive(Clone)]
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// Takes ownership of the text (no copy is left behind).
    pub fn new(text: String) -> Self {
        Passphrase(Zeroizing::new(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As rPGP's password type (a wiped copy of the bytes).
    pub(crate) fn to_password(&self) -> pgp::types::Password {
        pgp::types::Password::from(self.0.as_bytes())
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(<hidden>)")
    }
}

/// Why a passphrase is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    /// It is empty.
    Empty,
    /// Fewer than [`MIN_CHARS`] characters.
    TooShort {
        /// How many it has.
        chars: usize,
    },
    /// Fewer than [`MIN_UNPATTERNED`] characters outside obvious patterns.
    Predictable {
        /// How many it has outside them.
        unpatterned: usize,
    },
}

impl fmt::Display for Weakness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Weakness::Empty => write!(f, "it is empty"),
            Weakness::TooShort { chars } => write!(
                f,
                "it has {chars} character{}; at least {MIN_CHARS} are needed (four or more unrelated words make a good one)",
                if *chars == 1 { "" } else { "s" }
            ),
            Weakness::Predictable { unpatterned } => write!(
                f,
                "only {unpatterned} of its characters are outside obvious patterns (repeats, sequences such as abc or 321, keyboard runs such as qwerty, common passwords, the key's name or e-mail); at least {MIN_UNPATTERNED} are needed (four or more unrelated words make a good one)"
            ),
        }
    }
}

/// The parts of a name or e-mail address (three or more letters or digits) that count as a
/// pattern in a passphrase for that key.
pub fn context_words(texts: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for t in texts {
        for w in t.split(|c: char| !c.is_alphanumeric()) {
            let w = w.to_lowercase();
            if w.chars().count() >= 3 && !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}

/// How many characters of `text` are outside obvious patterns (see the module docs);
/// `context` holds lower-case words from the key's name and e-mail ([`context_words`]).
pub fn unpatterned_chars(text: &str, context: &[String]) -> usize {
    let lower: Zeroizing<Vec<char>> =
        Zeroizing::new(text.chars().flat_map(char::to_lowercase).collect());
    let n = lower.len();
    let mut covered: Zeroizing<Vec<bool>> = Zeroizing::new(vec![false; n]);
    let words = COMMON
        .iter()
        .map(|w| w.chars().collect::<Vec<char>>())
        .chain(context.iter().map(|w| w.chars().collect()));
    for w in words {
        if w.is_empty() || w.len() > n {
            continue;
        }
        for start in 0..=n - w.len() {
            if lower[start..start + w.len()] == w[..] {
                covered[start..start + w.len()]
                    .iter_mut()
                    .for_each(|c| *c = true);
            }
        }
    }
    let follows_on_row = |a: char, b: char| {
        ROWS.iter().any(|row| {
            let r: Vec<char> = row.chars().collect();
            r.windows(2)
                .any(|p| (p[0] == a && p[1] == b) || (p[0] == b && p[1] == a))
        })
    };
    let mut count = 0;
    for i in 0..n {
        if covered[i] {
            continue;
        }
        if i > 0 {
            let (a, b) = (lower[i - 1], lower[i]);
            let step = (a as i64 - b as i64).abs();
            if step <= 1 && (a.is_alphanumeric() || step == 0) {
                continue;
            }
            if follows_on_row(a, b) {
                continue;
            }
        }
        if i >= 2 {
            let w = &lower[i - 2..=i];
            if lower[..i].windows(3).any(|e| e == w) {
                continue;
            }
        }
        count += 1;
    }
    count
}

/// The strength rule (see the module docs). `name_and_email` are what the key is made for;
/// their parts count as a pattern.
pub fn check_strength(passphrase: &Passphrase, name_and_email: &[&str]) -> Result<(), Weakness> {
    let text = passphrase.as_str();
    if text.is_empty() {
        return Err(Weakness::Empty);
    }
    let chars = text.chars().count();
    if chars < MIN_CHARS {
        return Err(Weakness::TooShort { chars });
    }
    let unpatterned = unpatterned_chars(text, &context_words(name_and_email));
    if unpatterned < MIN_UNPATTERNED {
        return Err(Weakness::Predictable { unpatterned });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(s: &str) -> Result<(), Weakness> {
        check_strength(
            &Passphrase::new(s.into()),
            &["Amy Admin", "amy.admin@contoso.com"],
        )
    }

    #[test]
    fn good_passphrases_pass() {
        for p in [
            "correct horse battery staple",
            "tulip-ember-canyon-frost",
            "Zoë mag Kaffee um 7 Uhr",
            "gT7#kq9!Lm2$",
            "ржавый якорь тихо спит",
        ] {
            assert_eq!(check(p), Ok(()), "{p}");
        }
    }

    #[test]
    fn weak_passphrases_fail_with_their_reason() {
        assert_eq!(check(""), Err(Weakness::Empty));
        assert_eq!(check("Tr0ub4dor&3"), Err(Weakness::TooShort { chars: 11 }));
        assert_eq!(check("zoë"), Err(Weakness::TooShort { chars: 3 }));
        for (p, n) in [
            ("Password1234", 1),
            ("aaaaaaaaaaaaaaaa", 1),
            ("abcdefghijklmnop", 1),
            ("9876543210987654", 1),
            ("qwertyuiopasdf", 1),
            ("Tulip!Tulip!Tulip!", 6),
            ("abcabcabcabc", 2),
            ("AmyAdmin2024!", 5),
            ("contoso-contoso", 1),
            ("1q2w3e4r5t6y", 4),
        ] {
            assert_eq!(
                check(p),
                Err(Weakness::Predictable { unpatterned: n }),
                "{p}"
            );
        }
    }

    #[test]
    fn reasons_read_well_and_hide_the_text() {
        let e = check("Password1234").unwrap_err().to_string();
        assert!(e.starts_with("only 1 of its characters"), "{e}");
        assert!(!e.contains("Password1234"));
        assert_eq!(
            Weakness::TooShort { chars: 1 }.to_string(),
            "it has 1 character; at least 12 are needed (four or more unrelated words make a good one)"
        );
        assert_eq!(
            format!("{:?}", Passphrase::new("hunter2".into())),
            "Passphrase(<hidden>)"
        );
    }

    #[test]
    fn context_words_split_names_and_addresses() {
        assert_eq!(
            context_words(&["Amy O'Neil", "amy.oneil@contoso.co.uk"]),
            ["amy", "neil", "oneil", "contoso"]
        );
    }
}
