//! `engineFacts()`: the engine's constants and the request catalogue, so the page repeats none of
//! them (chunk size, copies, the verify window, the digits of a code, which request kinds take or
//! need which inputs).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::json_value;
use crate::core::graph::{RequestKind, DEFAULT_CHUNK};
use crate::core::otp::VERIFY_WINDOW;
use crate::core::variants::MAX_COPIES;
use crate::core::OtpParams;

#[wasm_bindgen(typescript_custom_section)]
const TS_FACTS: &str = r#"
/** One request kind, with what it takes: the page shows the inputs a kind uses and none other. */
export interface RequestKindFacts {
  kind: GraphRequestKind;
  /** For a menu, e.g. "Create devices in bulk (PATCH delta body)". */
  label: string;
  /** A user (object id or UPN) is required: given, or the token's assignTo / CSV upn. */
  needsUser: boolean;
  /** A user may be given (required, or optional for the creates, where it overrides assignTo). */
  takesUser: boolean;
  /** The device's Graph id is required. */
  needsDeviceId: boolean;
  /** Exactly one token must be selected (the kinds that name one device by id). */
  needsSerial: boolean;
  /** The selection may be narrowed to one token. */
  takesSerial: boolean;
  /** The body carries a code computed at `time`. */
  needsTime: boolean;
  /** Tokens are sent `chunk` per request. */
  chunked: boolean;
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
  /** Every request kind, in the order of docs/graph.md. */
  requestKinds: RequestKindFacts[];
}
"#;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KindFacts {
    kind: &'static str,
    label: &'static str,
    needs_user: bool,
    takes_user: bool,
    needs_device_id: bool,
    needs_serial: bool,
    takes_serial: bool,
    needs_time: bool,
    chunked: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Facts {
    default_chunk: usize,
    max_copies: usize,
    verify_window: u64,
    digits: u32,
    request_kinds: Vec<KindFacts>,
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
            .map(|k| KindFacts {
                kind: k.as_str(),
                label: k.label(),
                needs_user: k.needs_user(),
                takes_user: k.takes_user(),
                needs_device_id: k.needs_device_id(),
                needs_serial: k.needs_one_token(),
                takes_serial: k.takes_serial(),
                needs_time: k.needs_time(),
                chunked: k.chunked(),
            })
            .collect(),
    })
}
