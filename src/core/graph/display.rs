//! What a page shows of the requests, so it repeats no rule: each kind's label and the inputs it
//! takes or needs, a request with its keys masked, and the name a download gets.

use serde_json::Value;

use super::{GraphRequest, Need, RequestKind};
use crate::core::secret::mask;

impl RequestKind {
    /// A label for a menu, e.g. "Create devices in bulk" (the catalogue's).
    pub fn label(self) -> &'static str {
        self.info().label
    }

    /// Whether a user may be given: required by [`RequestKind::needs_user`], optional for the
    /// creates (it overrides the file's `assignTo`).
    pub fn takes_user(self) -> bool {
        self.info().needs.user != Need::No
    }

    /// Whether exactly one token must be selected (the kinds that name one device by id).
    pub fn needs_one_token(self) -> bool {
        self.needs_device_id()
    }

    /// Whether the selection may be narrowed to one serial number (every kind that concerns
    /// tokens one by one).
    pub fn takes_serial(self) -> bool {
        self.info().needs.serial != Need::No
    }

    /// Whether the tokens are sent in chunks (`chunk` tokens per request).
    pub fn chunked(self) -> bool {
        self.info().per == "chunk"
    }

    /// The name of request `i` (0-based) of `n` when downloaded: its body as `.json` when it has
    /// one (`hardwareOathDevices-part-1-of-3.json` for a bulk create in three parts), else its
    /// Graph Explorer text as `.http`.
    pub fn file_name(self, i: usize, n: usize, has_body: bool) -> String {
        let base = match self {
            RequestKind::CreateBulk => "hardwareOathDevices".to_string(),
            k => format!("hardwareOathDevices-{}", k.as_str()),
        };
        let part = if n > 1 {
            format!("-part-{}-of-{n}", i + 1)
        } else {
            String::new()
        };
        let ext = if has_body { "json" } else { "http" };
        format!("{base}{part}.{ext}")
    }
}

/// `v` with every `secretKey` string replaced by its mask (all but the last four characters
/// hidden, see [`mask`]), at any depth.
pub fn mask_secret_keys(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("secretKey", Value::String(s)) => Value::String(mask(s)),
                        _ => mask_secret_keys(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(mask_secret_keys).collect()),
        other => other.clone(),
    }
}

/// The request with its body's keys masked, for display (every rendering of it is safe to show).
pub fn masked(r: &GraphRequest) -> GraphRequest {
    let body = r.body.as_ref().map(mask_secret_keys);
    let mut m = r.clone();
    // The clone's own copy of the keys is wiped before it is replaced.
    if let Some(b) = &mut m.body {
        wipe_strings(b);
    }
    m.body = body;
    m
}

/// Overwrites every string value of `v` (object keys are field names, never secrets) before it is
/// dropped: request bodies hold the tokens' keys, and a dropped `String` keeps its bytes.
pub fn wipe_strings(v: &mut Value) {
    use zeroize::Zeroize;
    match v {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe_strings),
        Value::Object(map) => map.values_mut().for_each(wipe_strings),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn catalogue_and_names() {
        assert!(RequestKind::Create.takes_user() && !RequestKind::Create.needs_user());
        assert!(!RequestKind::List.takes_user());
        assert!(RequestKind::Delete.needs_one_token());
        assert!(!RequestKind::CreateBulk.takes_serial() && RequestKind::List.takes_serial());
        assert_eq!(
            RequestKind::CreateBulk.file_name(0, 3, true),
            "hardwareOathDevices-part-1-of-3.json"
        );
        assert_eq!(
            RequestKind::Delete.file_name(0, 1, false),
            "hardwareOathDevices-delete.http"
        );
        let labels: std::collections::HashSet<_> =
            RequestKind::ALL.iter().map(|k| k.label()).collect();
        assert_eq!(labels.len(), RequestKind::ALL.len());
    }

    #[test]
    fn masks_every_secret_key_and_wipes() {
        let v = json!({"value": [{"secretKey": "JBSWY3DPEHPK3PXP", "model": "x"}], "secretKey": 5});
        let m = mask_secret_keys(&v);
        assert_eq!(m["value"][0]["secretKey"], "••••••••••••3PXP");
        assert_eq!(m["value"][0]["model"], "x");
        assert_eq!(m["secretKey"], 5);
        let mut w = v.clone();
        wipe_strings(&mut w);
        assert_eq!(w["value"][0]["secretKey"], "");
    }
}
