//! Graph GET listings of the tenant's devices, in every shape an admin gets them:
//! `{"value": [...], "@odata.nextLink"?}` (a list or `list-all` page), items flat or nested under
//! `device` (the List page's example), a bare array, one device (`get`), `{"value": {device}}`
//! (the Get page's example), and any of these as a raw HTTP response or as what PowerShell
//! printed ([`crate::core::graph::answer`]).

use super::json::{self, Kind};
use super::{strip_bom, Unusable};
use crate::core::diag::Diagnostic;
use crate::core::graph::answer;
use crate::core::token::ListedDevice;

/// The device object of a listing item: flat (what Graph returns) or nested under `device`
/// (the shape of the user-methods list, copied into the List page's example by mistake).
fn device<'v, 'a>(item: &'v json::Value<'a>) -> &'v json::Value<'a> {
    match item.get("device") {
        Some(d) if d.as_object().is_some() => d,
        _ => item,
    }
}

fn has_secret(v: &json::Value) -> bool {
    matches!(v.get("secretKey"), Some(s) if !matches!(s.kind, Kind::Null))
}

fn is_listed_device(item: &json::Value) -> bool {
    let d = device(item);
    d.as_object().is_some() && d.get("id").and_then(|v| v.as_str()).is_some() && !has_secret(d)
}

/// True when a JSON document is a listing (or one listed device) rather than an upload:
/// OData paging annotations without a delta `@context`, or items that all carry a server `id`
/// and no secret.
pub(crate) fn looks_like_listing(root: &json::Value) -> bool {
    let items: &[json::Value] = match &root.kind {
        Kind::Array(a) => a,
        Kind::Object(_) => match root.get("value") {
            Some(json::Value {
                kind: Kind::Array(a),
                ..
            }) => {
                let odata = root.get("@odata.nextLink").is_some()
                    || (root.get("@odata.context").is_some() && root.get("@context").is_none());
                if odata && !a.iter().any(|i| has_secret(device(i))) {
                    return true;
                }
                a
            }
            Some(_) => return false,
            None => return is_listed_device(root) && root.get("serialNumber").is_some(),
        },
        _ => return false,
    };
    !items.is_empty() && items.iter().all(is_listed_device)
}

fn text_of(v: &json::Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(|s| s.as_str())
        .map(|s| s.trim().to_string())
}

/// Reads one page of a Graph GET listing (every shape in the module doc); callers concatenate
/// pages. A token file given here is refused (its serials would all "collide" with
/// themselves), and so is an error answer.
pub fn parse_listing(text: &str) -> Result<Vec<ListedDevice>, Unusable> {
    parse_listing_checked(text).map(|(devices, _)| devices)
}

/// [`parse_listing`], with a finding (HW510, HW511) for every field that holds a text-direction
/// or other invisible control.
pub fn parse_listing_checked(text: &str) -> Result<(Vec<ListedDevice>, Vec<Diagnostic>), Unusable> {
    let text = strip_bom(text);
    if text.trim().is_empty() {
        return Err(Unusable::new("the listing is empty"));
    }
    crate::core::limits::check_input_size("the listing", text.len()).map_err(Unusable::new)?;
    let un = answer::unwrap(text);
    if un.failed() || (un.body.trim().is_empty() && un.status.is_some()) {
        return Err(Unusable::new(format!(
            "the listing is an error answer ({}), not devices",
            un.status_text.unwrap_or_default()
        )));
    }
    let text = un.body.as_str();
    let root = json::parse(text).map_err(|e| {
        let mut u = super::json_unusable("the listing is ", e);
        u.line = u.line.map(|l| l + un.line_offset);
        u
    })?;
    let findings = answer::scan_fields(text, &root, "the listing", un.line_offset);
    if let Some(err) = root.get("error").filter(|e| e.as_object().is_some()) {
        let v = err.to_serde();
        return Err(Unusable::new(format!(
            "the listing is Graph's error answer, not devices: {}",
            crate::core::text::shorten(&format!(
                "{}: {}",
                v.get("code").and_then(|c| c.as_str()).unwrap_or(""),
                v.get("message").and_then(|c| c.as_str()).unwrap_or("")
            ))
        )));
    }
    let at = |v: &json::Value, message: String| Unusable {
        message,
        line: Some(v.pos.line),
        column: Some(v.pos.column),
    };
    let items: &[json::Value] = match &root.kind {
        Kind::Array(a) => a,
        Kind::Object(_) => match root.get("value") {
            Some(json::Value {
                kind: Kind::Array(a),
                ..
            }) => a,
            // The Get page's example wraps the one device in "value".
            Some(
                v @ json::Value {
                    kind: Kind::Object(_),
                    ..
                },
            ) if device(v).get("serialNumber").is_some() => std::slice::from_ref(v),
            // One device (the answer of GET …/hardwareOathDevices/{id}).
            None if device(&root).get("serialNumber").is_some() => std::slice::from_ref(&root),
            _ => {
                return Err(at(
                    &root,
                    "not a listing: expected a Graph GET response {\"value\": [...]}".into(),
                ))
            }
        },
        _ => {
            return Err(at(
                &root,
                format!("not a listing: the JSON is {}", root.kind_name()),
            ))
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (n, item) in items.iter().enumerate() {
        let d = device(item);
        if d.as_object().is_none() {
            return Err(at(
                item,
                format!(
                    "not a listing: item {n} is {}, not a device",
                    item.kind_name()
                ),
            ));
        }
        if has_secret(d) {
            return Err(at(
                item,
                "this is a token file (its items have secret keys), not a Graph listing; listings come from GET …/hardwareOathDevices and have \"secretKey\": null".into(),
            ));
        }
        let serial_number = text_of(d, "serialNumber")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| at(item, format!("listing item {n} has no serialNumber")))?;
        let assigned_to = d.get("assignedTo").and_then(|a| {
            text_of(a, "displayName")
                .filter(|s| !s.is_empty())
                .or_else(|| text_of(a, "id"))
        });
        out.push(ListedDevice {
            id: text_of(d, "id"),
            serial_number,
            manufacturer: text_of(d, "manufacturer"),
            model: text_of(d, "model"),
            status: text_of(d, "status"),
            assigned_to,
        });
    }
    Ok((out, findings))
}

/// Reads every page of a listing (in order) into one list of devices. Refuses more than
/// `limits::MAX_LISTING_PAGES` pages or `limits::MAX_LISTED_DEVICES` devices; the error names the
/// index of the page at fault.
pub fn parse_listings(pages: &[&str]) -> Result<Vec<ListedDevice>, (usize, Unusable)> {
    use crate::core::limits::{thousands, MAX_LISTED_DEVICES, MAX_LISTING_PAGES};
    if pages.len() > MAX_LISTING_PAGES {
        return Err((
            MAX_LISTING_PAGES,
            Unusable::new(format!(
                "{} listing pages; hwoath reads at most {} (the listing page limit in docs/limits.md)",
                thousands(pages.len()),
                thousands(MAX_LISTING_PAGES)
            )),
        ));
    }
    let mut out = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        out.extend(parse_listing(page).map_err(|e| (i, e))?);
        if out.len() > MAX_LISTED_DEVICES {
            return Err((
                i,
                Unusable::new(format!(
                    "the listing has more than {} devices (the listing limit in docs/limits.md)",
                    thousands(MAX_LISTED_DEVICES)
                )),
            ));
        }
    }
    Ok(out)
}
