//! A user's hardware OATH methods (`GET /users/{id}/authentication/hardwareOathMethods`):
//! `{"value":[{"@odata.type":"#microsoft.graph.hardwareOathAuthenticationMethod","id",
//! "device":{"id","serialNumber","status",…}}]}` as the Graph reference shows it. The basis of
//! `cleanup-duplicate`: Microsoft's troubleshooting steps for a user who holds one token twice
//! (a legacy CSV instance and a Graph one) compare these ids with the device listing's.

use serde::Serialize;
use serde_json::Value;

use super::answer;
use super::UnusableResponse;
use crate::core::diag::Diagnostic;
use crate::core::text::visible;

/// One method of the user. Text from the answer is escaped (`text::visible`) except `id`,
/// which is kept as given for URLs (percent-encoded there) and escaped in every message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserMethod {
    /// The method id (what the unassign and delete URLs take).
    pub id: String,
    /// `device.id`, when the answer has it.
    pub device_id: Option<String>,
    /// `device.serialNumber`.
    pub serial_number: Option<String>,
    /// `device.status`.
    pub status: Option<String>,
    /// `device.displayName`.
    pub display_name: Option<String>,
}

/// Every method of the answer(s), in order. Serialises camelCase.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserMethods {
    /// The methods.
    pub methods: Vec<UserMethod>,
    /// HW510/HW511 for answer fields with invisible characters.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the pasted answer(s) of `user-methods` (JSON, raw HTTP or PowerShell's error text;
/// pages joined). Fails for an answer that is not JSON, an error answer, or another shape.
pub fn read_user_methods(answers: &[&str]) -> Result<UserMethods, UnusableResponse> {
    let mut out = UserMethods::default();
    for (n, text) in answers.iter().enumerate() {
        let what = format!("user-methods answer {}", n + 1);
        let parsed = answer::parse_success(text, &what)?;
        out.diagnostics.extend(parsed.findings);
        let v = parsed.value;
        let items = v.get("value").and_then(Value::as_array).ok_or_else(|| {
            UnusableResponse::new(format!(
                "{what} is not a list of methods: expected {{\"value\":[…]}}"
            ))
        })?;
        for (i, item) in items.iter().enumerate() {
            let id = item.get("id").and_then(Value::as_str).ok_or_else(|| {
                UnusableResponse::new(format!("{what}: method {} has no id", i + 1))
            })?;
            let d = item.get("device");
            let field = |k: &str| {
                d.and_then(|d| d.get(k))
                    .and_then(Value::as_str)
                    .map(|s| visible(s.trim()).into_owned())
            };
            out.methods.push(UserMethod {
                id: id.trim().to_string(),
                device_id: d
                    .and_then(|d| d.get("id"))
                    .and_then(Value::as_str)
                    .map(|s| s.trim().to_string()),
                serial_number: field("serialNumber"),
                status: field("status"),
                display_name: field("displayName"),
            });
        }
    }
    Ok(out)
}

impl UserMethods {
    /// The methods whose device has serial `serial` (exact; else case-insensitive).
    pub fn with_serial(&self, serial: &str) -> Vec<&UserMethod> {
        let exact: Vec<&UserMethod> = self
            .methods
            .iter()
            .filter(|m| m.serial_number.as_deref() == Some(serial))
            .collect();
        if !exact.is_empty() {
            return exact;
        }
        self.methods
            .iter()
            .filter(|m| {
                m.serial_number
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case(serial))
            })
            .collect()
    }
}
