//! `engineFacts()`: the engine's constants and the request catalogue, so the page repeats none of
//! them (chunk size, copies, the verify window, the digits of a code, which request kinds take or
//! need which inputs).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::json_value;
use crate::core::graph::{Needs, RequestKind, DEFAULT_CHUNK};
use crate::core::otp::VERIFY_WINDOW;
use crate::core::variants::MAX_COPIES;
use crate::core::OtpParams;

#[wasm_bindgen(typescript_custom_section)]
const TS_FACTS: &str = r#"
/** Whether a request kind uses an input: not at all, when given, or always. */
export type Need = "no" | "optional" | "required";
/** The inputs a request kind reads besides the tokens (the engine's catalogue). */
export interface KindNeeds {
  /** A user (object id or UPN): given, or the token's assignTo / CSV upn. */
  user: Need;
  /** The device's Graph id (given for one token, or found by serial in `listing`). */
  deviceId: Need;
  /** One token chosen by its serial number. */
  serial: Need;
  /** Pages of the tenant's device listing. */
  listing: Need;
  /** The answer of a user-methods request. */
  userMethods: Need;
  /** The answer of the resolve-users step (UPN → object id). */
  resolvedUsers: Need;
  /** A Unix time for a verification code. */
  time: Need;
  /** A user must be named by object id (a UPN is refused, naming the resolve step). */
  objectIdOnly: boolean;
}
/** One request kind, with what it takes: the page shows the inputs a kind uses and none other. */
export interface RequestKindFacts {
  kind: GraphRequestKind;
  /** For a menu, e.g. "Create devices in bulk". */
  label: string;
  method: "GET" | "POST" | "PATCH" | "DELETE" | "PUT";
  /** Least-privileged permission and role(s) of a delegated caller. */
  permission: string;
  role: string;
  /** Tokens are sent `chunk` per request. */
  chunked: boolean;
  /** Its bodies carry the tokens' keys. */
  secrets: boolean;
  /** It lists the whole inventory (the list-all query: availableOnly, top). */
  inventory: boolean;
  needs: KindNeeds;
}
/** The engine's constants and the request catalogue. */
export interface EngineFacts {
  /** Tokens per bulk-create request when no chunk is given. */
  defaultChunk: number;
  /** Most variants per token. */
  maxCopies: number;
  /** Steps each way within which a typed code is a plain match (TokenSet.verify). */
  verifyWindow: number;
  /** Digits of a code (Entra's hardware tokens show 6). */
  digits: number;
  /** Every request kind, in the order an admin uses them (docs/graph.md). */
  requestKinds: RequestKindFacts[];
  /** The kind a page opens with: the bulk upload of the file. */
  defaultKind: GraphRequestKind;
}
"#;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KindFacts {
    kind: &'static str,
    label: &'static str,
    method: &'static str,
    permission: &'static str,
    role: &'static str,
    chunked: bool,
    secrets: bool,
    inventory: bool,
    needs: Needs,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Facts {
    default_chunk: usize,
    max_copies: usize,
    verify_window: u64,
    digits: u32,
    request_kinds: Vec<KindFacts>,
    default_kind: &'static str,
}

/// The engine's constants and the request catalogue (see `EngineFacts`).
#[wasm_bindgen(js_name = engineFacts, unchecked_return_type = "EngineFacts")]
pub fn engine_facts() -> Result<JsValue, JsError> {
    json_value(&Facts {
        default_chunk: DEFAULT_CHUNK,
        max_copies: MAX_COPIES,
        verify_window: VERIFY_WINDOW,
        digits: OtpParams::default().digits,
        request_kinds: RequestKind::ALL
            .into_iter()
            .map(|k| {
                let info = k.info();
                KindFacts {
                    kind: info.name,
                    label: info.label,
                    method: info.method,
                    permission: info.permission,
                    role: info.role,
                    chunked: k.chunked(),
                    secrets: info.secrets,
                    inventory: k == RequestKind::ListAll,
                    needs: info.needs,
                }
            })
            .collect(),
        default_kind: RequestKind::CreateBulk.as_str(),
    })
}
