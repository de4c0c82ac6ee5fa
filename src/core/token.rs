//! The token model shared by file parsing, variants and Graph requests, and the canonical Graph
//! `#$delta` writer.

use std::fmt;

use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;

use super::otp::HashAlg;
use super::secret::Secret;

/// The hash functions Entra accepts for hardware OATH tokens, in Graph's spelling: the subset of
/// [`HashAlg`] every token file, option, request and command line is checked against (HMAC-SHA-512
/// is computed by [`HashAlg`] but Entra refuses it). Serialises as `"hmacsha1"` / `"hmacsha256"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum GraphHash {
    /// `hmacsha1`, Graph's default.
    #[default]
    Sha1,
    /// `hmacsha256`.
    Sha256,
}

impl GraphHash {
    /// Both, Graph's default first.
    pub const ALL: [GraphHash; 2] = [GraphHash::Sha1, GraphHash::Sha256];

    /// Graph's spelling: `hmacsha1`, `hmacsha256`.
    pub fn graph_name(self) -> &'static str {
        HashAlg::from(self).graph_name()
    }

    /// Exactly Graph's spelling (`hmacsha1`, `hmacsha256`), nothing else.
    pub fn from_graph_name(name: &str) -> Option<GraphHash> {
        GraphHash::ALL.into_iter().find(|h| h.graph_name() == name)
    }

    /// Any spelling [`HashAlg::parse`] reads (`SHA-256`, `HMACSHA1`…) of a hash Entra accepts;
    /// `None` for SHA-512 and anything else.
    pub fn parse(name: &str) -> Option<GraphHash> {
        HashAlg::parse(name).and_then(|h| GraphHash::try_from(h).ok())
    }
}

impl From<GraphHash> for HashAlg {
    fn from(h: GraphHash) -> HashAlg {
        match h {
            GraphHash::Sha1 => HashAlg::Sha1,
            GraphHash::Sha256 => HashAlg::Sha256,
        }
    }
}

/// SHA-512 is the one [`HashAlg`] Entra does not accept; the error gives it back.
impl TryFrom<HashAlg> for GraphHash {
    type Error = HashAlg;
    fn try_from(h: HashAlg) -> Result<GraphHash, HashAlg> {
        match h {
            HashAlg::Sha1 => Ok(GraphHash::Sha1),
            HashAlg::Sha256 => Ok(GraphHash::Sha256),
            other => Err(other),
        }
    }
}

impl PartialEq<HashAlg> for GraphHash {
    fn eq(&self, other: &HashAlg) -> bool {
        HashAlg::from(*self) == *other
    }
}

impl PartialEq<GraphHash> for HashAlg {
    fn eq(&self, other: &GraphHash) -> bool {
        *self == HashAlg::from(*other)
    }
}

impl fmt::Display for GraphHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.graph_name())
    }
}

impl Serialize for GraphHash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.graph_name())
    }
}

/// One hardware OATH token, validated and normalised.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    /// The serial number as text (leading zeros kept).
    pub serial_number: String,
    /// Manufacturer, e.g. `Token2`.
    pub manufacturer: String,
    /// Model, e.g. `C202`.
    pub model: String,
    /// The decoded key; written as canonical base32.
    pub secret: Secret,
    /// 30 or 60.
    pub time_interval: u64,
    /// `hmacsha1` or `hmacsha256`.
    pub hash_function: HashAlg,
    /// Optional display name (single create and activation).
    pub display_name: Option<String>,
    /// Optional assignment target: `assignTo.id` from JSON or the CSV `upn` column.
    pub assign_to: Option<String>,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("serial_number", &self.serial_number)
            .field("manufacturer", &self.manufacturer)
            .field("model", &self.model)
            .field("secret", &self.secret)
            .field("time_interval", &self.time_interval)
            .field("hash_function", &self.hash_function)
            .field("display_name", &self.display_name)
            .field("assign_to", &self.assign_to)
            .finish()
    }
}

/// Writes one token as a delta item, fields in the order of Microsoft's bulk example.
/// `content_id` `None` omits `@contentId` (single-create bodies).
pub struct DeltaItem<'a> {
    /// The token.
    pub token: &'a Token,
    /// `@contentId` value, as a string.
    pub content_id: Option<String>,
    /// Include `displayName` and `assignTo` when the token has them (`assignTo` only when it is
    /// an object id, see [`is_guid`]).
    pub with_optional: bool,
}

impl Serialize for DeltaItem<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.write(s, false)
    }
}

impl DeltaItem<'_> {
    /// Writes the item; `masked` writes the key as [`crate::core::secret::mask`] shows it.
    fn write<S: Serializer>(&self, s: S, masked: bool) -> Result<S::Ok, S::Error> {
        let t = self.token;
        let mut m = s.serialize_map(None)?;
        if let Some(id) = &self.content_id {
            m.serialize_entry("@contentId", id)?;
        }
        m.serialize_entry("serialNumber", &t.serial_number)?;
        m.serialize_entry("manufacturer", &t.manufacturer)?;
        m.serialize_entry("model", &t.model)?;
        let key = t.secret.to_base32();
        if masked {
            m.serialize_entry("secretKey", &crate::core::secret::mask(&key))?;
        } else {
            m.serialize_entry("secretKey", key.as_str())?;
        }
        m.serialize_entry("timeIntervalInSeconds", &t.time_interval)?;
        m.serialize_entry("hashFunction", t.hash_function.graph_name())?;
        if self.with_optional {
            if let Some(d) = &t.display_name {
                m.serialize_entry("displayName", d)?;
            }
            // Graph's assignTo takes a user object id; a UPN (legacy CSV) stays on the token
            // for assign requests, which accept it in the URL.
            if let Some(a) = t.assign_to.as_deref().filter(|a| is_guid(a)) {
                m.serialize_entry("assignTo", &serde_json::json!({ "id": a }))?;
            }
        }
        m.end()
    }
}

/// Whether `s` has the shape of an object id: 8-4-4-4-12 hexadecimal digits.
pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The Graph `#$delta` body for `tokens`, with `@contentId` "1".."n".
pub fn delta_body(tokens: &[&Token]) -> serde_json::Value {
    let items: Vec<serde_json::Value> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            serde_json::to_value(DeltaItem {
                token: t,
                content_id: Some((i + 1).to_string()),
                with_optional: true,
            })
            .expect("token serialises")
        })
        .collect();
    serde_json::json!({ "@context": "#$delta", "value": items })
}

/// The `#$delta` body of [`delta_body`] written straight from the tokens (no JSON tree in
/// between): `{"@context": "#$delta", "value": [items with @contentId "1".."n"]}`.
pub struct DeltaBody<'a>(pub &'a [&'a Token]);

/// [`DeltaBody`] with every `secretKey` masked ([`crate::core::secret::mask`]): for display.
pub struct MaskedDeltaBody<'a>(pub &'a [&'a Token]);

/// The body of `tokens`, keys masked or not.
fn write_body<S: Serializer>(s: S, tokens: &[&Token], masked: bool) -> Result<S::Ok, S::Error> {
    struct Items<'a>(&'a [&'a Token], bool);
    impl Serialize for Items<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            struct Item<'a>(DeltaItem<'a>, bool);
            impl Serialize for Item<'_> {
                fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    self.0.write(s, self.1)
                }
            }
            let mut seq = s.serialize_seq(Some(self.0.len()))?;
            for (i, t) in self.0.iter().enumerate() {
                let item = DeltaItem {
                    token: t,
                    content_id: Some((i + 1).to_string()),
                    with_optional: true,
                };
                seq.serialize_element(&Item(item, self.1))?;
            }
            seq.end()
        }
    }
    let mut m = s.serialize_map(Some(2))?;
    m.serialize_entry("@context", "#$delta")?;
    m.serialize_entry("value", &Items(tokens, masked))?;
    m.end()
}

impl Serialize for DeltaBody<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        write_body(s, self.0, false)
    }
}

impl Serialize for MaskedDeltaBody<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        write_body(s, self.0, true)
    }
}

/// [`delta_json`] with every `secretKey` masked: the same text, safe to show.
pub fn masked_delta_json(tokens: &[&Token]) -> String {
    let mut s = crate::core::text::json_pretty(&MaskedDeltaBody(tokens));
    s.push('\n');
    s
}

/// Pretty-printed canonical delta JSON (two-space indent, trailing newline). The same text as
/// [`delta_body`] pretty-printed, written without building the tree; the text holds the keys, so
/// it is built in a buffer that is wiped when it grows and when it is dropped.
pub fn delta_json(tokens: &[&Token]) -> zeroize::Zeroizing<String> {
    // About 300 bytes per token: one allocation for most files.
    let mut out = crate::core::wipe::WipeBuf::with_capacity(256 + 320 * tokens.len());
    // Invisible and control characters in a value are written as `\uXXXX` escapes.
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        crate::core::text::SafeFormatter(serde_json::ser::PrettyFormatter::new()),
    );
    DeltaBody(tokens).serialize(&mut ser).expect("json");
    out.push(b'\n');
    out.into_string()
}

/// A device from a Graph GET listing (`secretKey` is always null there). Serialises as
/// `{"id", "serialNumber", "manufacturer", "model", "status", "assignedTo"}`.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListedDevice {
    /// Graph object id.
    pub id: Option<String>,
    /// Serial number.
    pub serial_number: String,
    /// Manufacturer.
    pub manufacturer: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// `available`, `assigned`, `activated`, `failedActivation`.
    pub status: Option<String>,
    /// Display name of the assigned user, if any.
    pub assigned_to: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(serial: &str) -> Token {
        Token {
            serial_number: serial.into(),
            manufacturer: "Token2".into(),
            model: "C202".into(),
            secret: Secret::parse("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
                .unwrap()
                .secret,
            time_interval: 30,
            hash_function: HashAlg::Sha256,
            display_name: Some("Amy".into()),
            assign_to: Some("0cadbf92-1234-4abc-9def-0123456789ab".into()),
        }
    }

    #[test]
    fn delta_json_is_the_pretty_tree_and_masks_only_the_keys() {
        let (a, b) = (token("1"), token("2"));
        let tokens = [&a, &b];
        let mut tree = serde_json::to_string_pretty(&delta_body(&tokens)).unwrap();
        tree.push('\n');
        assert_eq!(*delta_json(&tokens), tree);
        let shown = masked_delta_json(&tokens);
        assert_eq!(
            shown,
            tree.replace(
                "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
                "••••••••••••••••••••••••••••3PXP"
            )
        );
        assert!(!shown.contains("JBSWY3DP"));
    }

    #[test]
    fn graph_hash_names_and_conversions() {
        assert_eq!(
            GraphHash::from_graph_name("hmacsha256"),
            Some(GraphHash::Sha256)
        );
        assert_eq!(GraphHash::from_graph_name("HMACSHA256"), None);
        assert_eq!(GraphHash::parse("SHA-256"), Some(GraphHash::Sha256));
        assert_eq!(GraphHash::parse("hmacsha512"), None);
        assert_eq!(GraphHash::try_from(HashAlg::Sha512), Err(HashAlg::Sha512));
        for h in GraphHash::ALL {
            assert_eq!(GraphHash::try_from(HashAlg::from(h)), Ok(h));
            assert_eq!(h, HashAlg::from(h));
            assert_eq!(serde_json::to_value(h).unwrap(), h.graph_name());
            assert_eq!(h.to_string(), h.graph_name());
        }
        assert_eq!(GraphHash::default(), GraphHash::Sha1);
    }

    #[test]
    fn guid_shape() {
        assert!(is_guid("0cadbf92-1234-4abc-9def-0123456789ab"));
        assert!(!is_guid("helga@contoso.com"));
        assert!(!is_guid("0cadbf92-####-####-####-############"));
        assert!(!is_guid("0cadbf92-1234-4abc-9def-0123456789ab0"));
    }
}
