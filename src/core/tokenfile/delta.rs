//! JSON token files: the `#$delta` envelope, bare arrays and single objects → items.

use super::item::{Field, Item, Name, StrLoc, Val};
use super::json::{self, Kind, Member};
use super::listing::looks_like_listing;
use super::rules::codes;
use super::{DetectedFormat, Unusable};
use crate::core::diag::{Diagnostic, Pos};
use crate::core::text::shorten;
use crate::core::Severity::{Error, Warning};

/// The items of a JSON file and the file-level findings.
pub(crate) struct Parsed<'a> {
    pub format: DetectedFormat,
    pub items: Vec<Item<'a>>,
    pub diagnostics: Vec<Diagnostic>,
}

fn unusable_at(pos: Pos, message: impl Into<String>) -> Unusable {
    Unusable {
        message: message.into(),
        line: Some(pos.line),
        column: Some(pos.column),
    }
}

const LISTING_HINT: &str = "this is a Graph listing of the tenant's devices (secretKey is null there), not a token file to upload; give it as the tenant's device listing (the CLI's --listing option, the page's listing box) to check for serial numbers the tenant already holds";

/// Reads the envelope of a parsed JSON document.
pub(crate) fn read<'a>(root: &'a json::Value<'a>) -> Result<Parsed<'a>, Unusable> {
    let mut diagnostics = Vec::new();
    if looks_like_listing(root) {
        return Err(unusable_at(root.pos, LISTING_HINT));
    }
    let (format, values): (DetectedFormat, Vec<&'a json::Value<'a>>) = match &root.kind {
        Kind::Array(values) => {
            diagnostics.push(Diagnostic::new(
                Warning,
                codes::BARE_ARRAY,
                None,
                None,
                Some(root.pos),
                "the file is a bare array of tokens; it was wrapped in a Graph delta body ({\"@context\": \"#$delta\", \"value\": [...]})",
            ));
            (DetectedFormat::BareArray, values.iter().collect())
        }
        Kind::Object(members) => match members.iter().find(|m| m.key == "value") {
            Some(value) => {
                if let Some(again) = members.iter().filter(|m| m.key == "value").nth(1) {
                    return Err(unusable_at(
                        again.key_pos,
                        format!(
                            "\"value\" is given twice (first at {}:{}); which list of tokens counts is ambiguous, so neither is read",
                            value.key_pos.line, value.key_pos.column
                        ),
                    ));
                }
                let Kind::Array(values) = &value.value.kind else {
                    let hint = match value.value.kind {
                        Kind::Object(_) => " (Windows PowerShell's ConvertTo-Json writes a one-item array as the item: wrap it, @(...), or use -AsArray)",
                        _ => "",
                    };
                    return Err(unusable_at(
                        value.value.pos,
                        format!(
                            "not a token file: \"value\" is {}, not an array of tokens{hint}",
                            value.value.kind_name()
                        ),
                    ));
                };
                envelope(root, members, &mut diagnostics);
                (DetectedFormat::GraphDelta, values.iter().collect())
            }
            None if members.iter().any(|m| {
                matches!(
                    Name::of_key(&m.key),
                    Name::Known {
                        field: "serialNumber" | "secretKey",
                        ..
                    }
                )
            }) =>
            {
                diagnostics.push(Diagnostic::new(
                    Warning,
                    codes::SINGLE_OBJECT,
                    None,
                    None,
                    Some(root.pos),
                    "the file is a single token object; it was wrapped in a Graph delta body ({\"@context\": \"#$delta\", \"value\": [...]})",
                ));
                (DetectedFormat::SingleObject, vec![root])
            }
            None => {
                return Err(unusable_at(
                    root.pos,
                    "not a token file: a JSON object with neither a \"value\" array nor token fields (serialNumber, secretKey)",
                ))
            }
        },
        _ => {
            return Err(unusable_at(
                root.pos,
                format!(
                    "not a token file: the JSON document is {}, not an object or an array",
                    root.kind_name()
                ),
            ))
        }
    };
    if values.is_empty() {
        diagnostics.push(Diagnostic::new(
            Warning,
            codes::NO_RECORDS,
            None,
            None,
            Some(root.pos),
            "the file has no tokens",
        ));
    }
    let items = values.into_iter().map(item).collect();
    Ok(Parsed {
        format,
        items,
        diagnostics,
    })
}

/// Checks `@context` and reports top-level keys a delta body does not have.
fn envelope(root: &json::Value, members: &[Member], out: &mut Vec<Diagnostic>) {
    match members.iter().find(|m| m.key == "@context") {
        None => out.push(Diagnostic::new(
            Warning,
            codes::CONTEXT,
            None,
            Some("@context"),
            Some(root.pos),
            "\"@context\" is missing; a Graph delta body has \"@context\": \"#$delta\" (added on normalisation)",
        )),
        Some(m) if m.value.as_str() != Some("#$delta") => {
            let found = match m.value.as_str() {
                Some(s) => format!("\"{}\"", shorten(s)),
                None => m.value.kind_name().to_string(),
            };
            out.push(Diagnostic::new(
                Warning,
                codes::CONTEXT,
                None,
                Some("@context"),
                Some(m.value.pos),
                format!("\"@context\" is {found}, not \"#$delta\" (fixed on normalisation)"),
            ));
        }
        Some(_) => {}
    }
    for (i, m) in members.iter().enumerate() {
        if m.key == "@context" && members[..i].iter().any(|p| p.key == "@context") {
            out.push(Diagnostic::new(
                Warning,
                codes::TOP_LEVEL_KEY,
                None,
                Some("@context"),
                Some(m.key_pos),
                "\"@context\" is given twice; the first is used (normalisation writes \"#$delta\")",
            ));
        }
        if let Some(d) = super::rules::hidden_name("top-level key", &m.key, m.key_pos, None) {
            out.push(d);
        }
        if m.key != "@context" && m.key != "value" {
            out.push(Diagnostic::new(
                Warning,
                codes::TOP_LEVEL_KEY,
                None,
                None,
                Some(m.key_pos),
                format!(
                    "unexpected top-level key \"{}\" in a delta body; it is dropped on normalisation",
                    shorten(&m.key)
                ),
            ));
        }
    }
}

fn item<'a>(v: &'a json::Value<'a>) -> Item<'a> {
    let Kind::Object(members) = &v.kind else {
        return Item {
            start: v.pos,
            fields: Vec::new(),
            broken: Some(Diagnostic::new(
                Error,
                codes::NOT_OBJECT,
                None,
                None,
                Some(v.pos),
                format!("the record is {}, not a token object", v.kind_name()),
            )),
            csv: false,
        };
    };
    let fields = members
        .iter()
        .map(|m| Field {
            key: &m.key,
            name: Name::of_key(&m.key),
            key_pos: m.key_pos,
            value: Val::of(&m.value),
            pos: m.value.pos,
            loc: match m.value.kind {
                Kind::String(_) => StrLoc::Json {
                    offset: m.value.offset,
                    pos: m.value.pos,
                },
                _ => StrLoc::None,
            },
            member: Some(m),
        })
        .collect();
    Item {
        start: v.pos,
        fields,
        broken: None,
        csv: false,
    }
}
