//! Graph requests: golden files for every kind × format (bless with `HWOATH_BLESS=1`), chunking
//! boundaries, activation codes against `oathtool`, option errors, where secrets may appear, and
//! reconciling Graph's answers (documented, error, batch, per-item failure) with the tokens.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::Command;

use hwoath::core::graph::render::{self, Format};
use hwoath::core::graph::script::{powershell_script, ScriptOptions};
use hwoath::core::graph::{
    build_requests, build_requests_with, read_user_methods, reconcile, GraphRequest,
    InventoryQuery, Outcome, ReconcileOptions, RequestError, RequestInputs, RequestKind,
    RequestOptions, ResponseShape,
};
use hwoath::core::token::Token;
use hwoath::core::tokenfile::parse_listing;
use hwoath::core::{HashAlg, Secret};
use serde_json::{json, Value};

const TIME: u64 = 1_700_000_000;
const DEVICE: &str = "aad49556-1111-4222-8333-000000000001";

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Reads the golden token file (a canonical delta body) into tokens, without the token-file
/// parser: the goldens test the request builder, not the parser.
fn fixture_tokens() -> Vec<Token> {
    let text = std::fs::read_to_string(golden_dir().join("tokens.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| Token {
            serial_number: i["serialNumber"].as_str().unwrap().into(),
            manufacturer: i["manufacturer"].as_str().unwrap().into(),
            model: i["model"].as_str().unwrap().into(),
            secret: Secret::parse(i["secretKey"].as_str().unwrap())
                .unwrap()
                .secret,
            time_interval: i["timeIntervalInSeconds"].as_u64().unwrap(),
            hash_function: HashAlg::parse(i["hashFunction"].as_str().unwrap()).unwrap(),
            display_name: i["displayName"].as_str().map(str::to_string),
            assign_to: i["assignTo"]["id"].as_str().map(str::to_string),
        })
        .collect()
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(golden_dir().join("../fixtures/graph").join(name)).unwrap()
}

/// The options and answers each golden uses, and the same as CLI flags (paths relative to
/// tests/golden, where the CLI test runs).
fn golden_case(kind: RequestKind) -> (RequestOptions, RequestInputs, Vec<String>) {
    let mut o = RequestOptions::new(kind);
    let mut inputs = RequestInputs::default();
    let mut flags = vec!["--request".to_string(), kind.as_str().to_string()];
    let mut flag = |f: &str, v: &str| {
        flags.push(f.into());
        flags.push(v.into());
    };
    if kind.needs_device_id() {
        o.serial = Some("865923712".into());
        o.device_id = Some(DEVICE.into());
        flag("--serial", "865923712");
        flag("--device-id", DEVICE);
    }
    if kind.needs_time() {
        o.time = Some(TIME);
        flag("--time", &TIME.to_string());
    }
    match kind {
        RequestKind::AssignAndActivateBySerial | RequestKind::ResolveUsers => {
            o.user = Some("helga@contoso.com".into());
            flag("--user", "helga@contoso.com");
        }
        RequestKind::UserMethods => {
            o.serial = Some("865923712".into());
            flag("--serial", "865923712");
        }
        RequestKind::CleanupDuplicate => {
            o.serial = Some("865923712".into());
            flag("--serial", "865923712");
            inputs.user_methods =
                Some(read_user_methods(&[&fixture("user-methods-doubled.json")]).unwrap());
            inputs.listing = Some(parse_listing(&fixture("listing-doubled.json")).unwrap());
            flag(
                "--user-methods",
                "../fixtures/graph/user-methods-doubled.json",
            );
            flag("--listing", "../fixtures/graph/listing-doubled.json");
        }
        RequestKind::ListAll => {
            inputs.inventory = InventoryQuery {
                available_only: true,
                top: Some(999),
            };
            flag("--top", "999");
            flags.push("--available-only".into());
        }
        _ => {}
    }
    (o, inputs, flags)
}

fn golden_requests(refs: &[&Token], kind: RequestKind) -> Vec<GraphRequest> {
    let (o, inputs, _) = golden_case(kind);
    build_requests_with(refs, &o, &inputs).unwrap()
}

fn ext(f: Format) -> &'static str {
    match f {
        Format::Json => "json",
        Format::Http => "http",
        Format::Powershell => "ps1",
        Format::Curl => "sh",
        Format::PowershellScript => "script.ps1",
    }
}

/// A rendering as the CLI writes it (the script names the token file and chunk).
fn rendering(reqs: &[GraphRequest], format: Format) -> String {
    match format {
        Format::PowershellScript => powershell_script(
            reqs,
            &ScriptOptions {
                token_file: Some("tokens.json".into()),
                chunk: Some(100),
            },
        ),
        f => render::document(reqs, f),
    }
}

#[test]
fn golden_every_kind_and_format() {
    let tokens = fixture_tokens();
    let refs: Vec<&Token> = tokens.iter().collect();
    let bless = std::env::var_os("HWOATH_BLESS").is_some();
    let mut failures = Vec::new();
    for kind in RequestKind::ALL {
        let reqs = golden_requests(&refs, kind);
        assert!(!reqs.is_empty(), "{kind} built nothing");
        for format in Format::ALL {
            let got = rendering(&reqs, format);
            let path = golden_dir().join(format!("{kind}.{}", ext(format)));
            if bless {
                std::fs::write(&path, &got).unwrap();
                continue;
            }
            let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
                panic!("missing {}; bless with HWOATH_BLESS=1", path.display())
            });
            if got != want {
                failures.push(format!("{}:\n{got}", path.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "golden mismatch:\n{}",
        failures.join("\n")
    );
}

fn secret_texts(tokens: &[Token]) -> Vec<String> {
    tokens
        .iter()
        .map(|t| t.secret.to_base32().to_string())
        .collect()
}

#[test]
fn secrets_only_in_create_bodies() {
    let tokens = fixture_tokens();
    let refs: Vec<&Token> = tokens.iter().collect();
    let secrets = secret_texts(&tokens);
    for kind in RequestKind::ALL {
        let reqs = golden_requests(&refs, kind);
        let creates = matches!(kind, RequestKind::Create | RequestKind::CreateBulk);
        for r in &reqs {
            for s in &secrets {
                assert!(!r.note.contains(s.as_str()) && !r.url.contains(s.as_str()));
                let in_body = r
                    .body
                    .as_ref()
                    .is_some_and(|b| b.to_string().contains(s.as_str()));
                if !creates {
                    assert!(!in_body, "{kind} body carries a secret");
                }
            }
            if creates {
                let body = r.body.as_ref().unwrap().to_string();
                assert!(secrets.iter().any(|s| body.contains(s.as_str())));
            }
        }
    }
}

/// `n` distinct tokens with numeric serials.
fn many(n: usize) -> Vec<Token> {
    (0..n)
        .map(|i| Token {
            serial_number: format!("{}", 2_300_000_000_000u64 + i as u64),
            manufacturer: "Token2".into(),
            model: "C202".into(),
            secret: Secret::from_bytes((0..20).map(|b| (b * 7 + i * 13 + 1) as u8).collect()),
            time_interval: 30,
            hash_function: HashAlg::Sha1,
            display_name: None,
            assign_to: None,
        })
        .collect()
}

fn content_ids(r: &GraphRequest) -> Vec<String> {
    r.body.as_ref().unwrap()["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["@contentId"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn chunking_boundaries() {
    for chunk in [1usize, 3, 100] {
        for n in [0, 1, chunk, chunk + 1, 2 * chunk + 1] {
            let tokens = many(n);
            let refs: Vec<&Token> = tokens.iter().collect();
            let mut o = RequestOptions::new(RequestKind::CreateBulk);
            o.chunk = chunk;
            let reqs = build_requests(&refs, &o).unwrap();
            assert_eq!(reqs.len(), n.div_ceil(chunk), "n={n} chunk={chunk}");
            let mut seen_serials = Vec::new();
            let mut seen_ids = Vec::new();
            for (part, r) in reqs.iter().enumerate() {
                assert_eq!(r.method, "PATCH");
                let body = r.body.as_ref().unwrap();
                assert_eq!(body["@context"], "#$delta");
                let items = body["value"].as_array().unwrap();
                assert!(!items.is_empty() && items.len() <= chunk);
                let ids = content_ids(r);
                // Unique within the request, and "1".."n" numbering across the file.
                let want: Vec<String> = (part * chunk + 1..=part * chunk + items.len())
                    .map(|i| i.to_string())
                    .collect();
                assert_eq!(ids, want);
                seen_ids.extend(ids);
                seen_serials.extend(
                    items
                        .iter()
                        .map(|i| i["serialNumber"].as_str().unwrap().to_string()),
                );
                assert_eq!(
                    r.records,
                    (part * chunk..part * chunk + items.len()).collect::<Vec<_>>()
                );
                assert!(r.note.contains("no maximum"), "{}", r.note);
                assert!(r
                    .note
                    .contains(&format!("part {} of {}", part + 1, reqs.len())));
            }
            let want: Vec<String> = tokens.iter().map(|t| t.serial_number.clone()).collect();
            assert_eq!(seen_serials, want);
            let mut unique = seen_ids.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), n);
        }
    }
}

#[test]
fn zero_tokens_give_no_requests_except_the_policy() {
    for kind in RequestKind::ALL {
        let mut o = RequestOptions::new(kind);
        o.user = Some("0cadbf92-aaaa-4222-8333-444455556666".into());
        o.time = Some(TIME);
        let got = build_requests(&[], &o);
        match kind {
            RequestKind::EnablePolicy | RequestKind::ReadPolicy | RequestKind::ListAll => {
                assert_eq!(got.unwrap().len(), 1)
            }
            RequestKind::CleanupDuplicate => {
                assert_eq!(got.unwrap_err(), RequestError::CleanupNeedsAnswers)
            }
            k if k.needs_device_id() => {
                assert_eq!(got.unwrap_err(), RequestError::MissingDeviceId { kind: k })
            }
            _ => assert!(got.unwrap().is_empty(), "{kind}"),
        }
    }
}

fn oathtool(secret_b32: &str, hash: HashAlg, period: u64, time: u64) -> String {
    let out = Command::new("oathtool")
        .arg(format!("--totp={}", hash.short_name()))
        .arg(format!("--time-step-size={period}s"))
        .arg("-b")
        .arg(secret_b32)
        .arg("-N")
        .arg(format!("@{time}"))
        .output()
        .expect("oathtool must be installed (scripts/bootstrap.sh)");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn activation_codes_match_oathtool() {
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    for hash in [HashAlg::Sha1, HashAlg::Sha256] {
        for period in [30u64, 60] {
            let token = Token {
                serial_number: "123".into(),
                manufacturer: "M".into(),
                model: "X".into(),
                secret: Secret::parse(secret).unwrap().secret,
                time_interval: period,
                hash_function: hash,
                display_name: None,
                assign_to: Some("u@contoso.com".into()),
            };
            // Step boundaries and a time where 30 s and 60 s steps differ.
            for time in [
                59u64,
                60,
                1_111_111_109,
                1_700_000_029,
                1_700_000_030,
                20_000_000_000,
            ] {
                let want = oathtool(secret, hash, period, time);
                for kind in [
                    RequestKind::Activate,
                    RequestKind::AssignAndActivate,
                    RequestKind::AssignAndActivateBySerial,
                ] {
                    let mut o = RequestOptions::new(kind);
                    o.time = Some(time);
                    o.device_id = Some(DEVICE.into());
                    let r = &build_requests(&[&token], &o).unwrap()[0];
                    let body = r.body.as_ref().unwrap();
                    assert_eq!(
                        body["verificationCode"],
                        want.as_str(),
                        "{kind} {hash} {period} @{time}"
                    );
                    let expires = (time / period + 1) * period;
                    assert_eq!(r.expires_at, Some(expires));
                    assert!(r.note.contains(&expires.to_string()), "{}", r.note);
                    assert!(r.note.contains(" UTC"), "{}", r.note);
                }
            }
        }
    }
}

#[test]
fn option_errors_are_specific() {
    let tokens = fixture_tokens();
    let refs: Vec<&Token> = tokens.iter().collect();
    // Token 2 has no assignTo: a user kind without --user names it.
    let mut o = RequestOptions::new(RequestKind::AssignAndActivateBySerial);
    o.time = Some(TIME);
    assert_eq!(
        build_requests(&refs, &o).unwrap_err(),
        RequestError::MissingUser {
            kind: RequestKind::AssignAndActivateBySerial,
            serials: vec!["2300000000001".into()]
        }
    );
    let mut o = RequestOptions::new(RequestKind::Delete);
    o.device_id = Some(DEVICE.into());
    assert_eq!(
        build_requests(&refs, &o).unwrap_err(),
        RequestError::DeviceIdNeedsOneToken {
            kind: RequestKind::Delete,
            count: 2
        }
    );
    let mut o = RequestOptions::new(RequestKind::Activate);
    o.device_id = Some(DEVICE.into());
    o.serial = Some("865923712".into());
    assert_eq!(
        build_requests(&refs, &o).unwrap_err(),
        RequestError::MissingTime {
            kind: RequestKind::Activate
        }
    );
    o.serial = Some("nope".into());
    assert_eq!(
        build_requests(&refs, &o).unwrap_err(),
        RequestError::NoSuchSerial {
            serial: "nope".into()
        }
    );
    let mut o = RequestOptions::new(RequestKind::CreateBulk);
    o.chunk = 0;
    assert_eq!(
        build_requests(&refs, &o).unwrap_err(),
        RequestError::ZeroChunk
    );
    // Messages name what to give, never a secret.
    let msg = RequestError::MissingDeviceId {
        kind: RequestKind::Assign,
    }
    .to_string();
    assert!(msg.contains("device") && msg.contains("list"), "{msg}");
}

#[test]
fn user_overrides_and_url_encoding() {
    let mut tokens = fixture_tokens();
    tokens[0].serial_number = "O'Neil #1".into();
    let refs: Vec<&Token> = tokens.iter().collect();
    let reqs = build_requests(&refs, &RequestOptions::new(RequestKind::List)).unwrap();
    assert_eq!(
        reqs[0].url,
        "https://graph.microsoft.com/beta/directory/authenticationMethodDevices/hardwareOathDevices?$filter=serialNumber%20eq%20'O''Neil%20%231'"
    );
    // --user wins over the file's assignTo; a guest UPN is encoded in the path.
    let mut o = RequestOptions::new(RequestKind::Assign);
    o.user = Some("ann_fabrikam.com#EXT#@contoso.onmicrosoft.com".into());
    o.device_id = Some(DEVICE.into());
    o.serial = Some("O'Neil #1".into());
    let r = &build_requests(&refs, &o).unwrap()[0];
    assert_eq!(
        r.url,
        "https://graph.microsoft.com/beta/users/ann_fabrikam.com%23EXT%23@contoso.onmicrosoft.com/authentication/hardwareOathMethods"
    );
    assert_eq!(r.body, Some(json!({"device": {"id": DEVICE}})));
    assert_eq!(r.warnings.len(), 1, "a guest is warned about");
    assert_eq!(r.warnings[0].code, "HW501");
    assert!(r.warnings[0]
        .message
        .contains("cannot be assigned to guest users"));
    // A bulk create is the whole file: a serial is refused, never applied silently (issue 10).
    let mut o = RequestOptions::new(RequestKind::CreateBulk);
    o.serial = Some("2300000000001".into());
    assert_eq!(
        build_requests(&refs, &o).unwrap_err(),
        RequestError::SerialNotTaken {
            kind: RequestKind::CreateBulk
        }
    );
    // create: a UPN never goes into assignTo: --user as a UPN is refused, naming the resolve step.
    for kind in [
        RequestKind::Create,
        RequestKind::CreateBulk,
        RequestKind::AssignRef,
    ] {
        let mut o = RequestOptions::new(kind);
        o.user = Some("helga@contoso.com".into());
        o.device_id = Some(DEVICE.into());
        if kind != RequestKind::CreateBulk {
            o.serial = Some("2300000000001".into());
        }
        let e = build_requests(&refs, &o).unwrap_err();
        assert_eq!(
            e,
            RequestError::NeedsObjectId {
                kind,
                upns: vec!["helga@contoso.com".into()]
            }
        );
        assert!(e.to_string().contains("resolve-users"), "{e}");
    }
    // --user as an object id becomes every item's assignTo.
    let mut o = RequestOptions::new(RequestKind::CreateBulk);
    o.user = Some("0cadbf92-aaaa-4222-8333-444455556666".into());
    let r = &build_requests(&refs, &o).unwrap()[0];
    for item in r.body.as_ref().unwrap()["value"].as_array().unwrap() {
        assert_eq!(
            item["assignTo"],
            json!({"id": "0cadbf92-aaaa-4222-8333-444455556666"})
        );
    }
    assert!(r
        .permission
        .contains("UserAuthenticationMethod.ReadWrite.All"));
    // Without --user, only the token with assignTo is assigned.
    let reqs = build_requests(&refs, &RequestOptions::new(RequestKind::Create)).unwrap();
    assert!(reqs[0].body.as_ref().unwrap().get("assignTo").is_some());
    assert!(reqs[1].body.as_ref().unwrap().get("assignTo").is_none());
    assert_eq!(reqs[1].permission, "Policy.ReadWrite.AuthenticationMethod");
    assert_eq!(
        reqs[1].body.as_ref().unwrap()["displayName"],
        "Spare SHA-256 token"
    );
}

#[test]
fn renderings_quote_safely() {
    let mut tokens = fixture_tokens();
    tokens[0].serial_number = "it's".into();
    let r = &build_requests(&[&tokens[0]], &RequestOptions::new(RequestKind::List)).unwrap()[0];
    let ps = render::powershell(r);
    assert!(ps.contains("eq%20''it''''s'''"), "{ps}");
    let sh = render::curl(r);
    assert!(sh.contains(r"%20'\''it'\'''\''s'\'''"), "{sh}");
    // Bodies: here-string / here-document terminators never occur inside pretty JSON.
    let r = &build_requests(&[&tokens[1]], &RequestOptions::new(RequestKind::Create)).unwrap()[0];
    let ps = render::powershell(r);
    assert!(
        ps.starts_with("Connect-MgGraph -Scopes 'Policy.ReadWrite.AuthenticationMethod'\n")
            && ps.contains("-Body @'\n{\n")
            && ps.ends_with("}\n'@ -ContentType 'application/json' -OutputType Json\n")
    );
    let sh = render::curl(r);
    assert!(
        sh.contains("<<'EOF'\n{\n") && sh.ends_with("}\nEOF\n)\"\n"),
        "{sh}"
    );
    let http = render::http(r);
    assert!(http.starts_with("POST https://graph.microsoft.com/beta/directory/authenticationMethodDevices/hardwareOathDevices\n\n{\n"));
    // Field order follows Microsoft's example.
    let keys: Vec<&str> = http
        .lines()
        .filter_map(|l| l.trim().strip_prefix('"'))
        .map(|l| l.split('"').next().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "serialNumber",
            "manufacturer",
            "model",
            "secretKey",
            "timeIntervalInSeconds",
            "hashFunction",
            "displayName"
        ]
    );
}

// ---- reconcile ----

fn documented_item(id: &str, serial: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethod",
        "id": id,
        "device": {
            "id": id, "displayName": null, "serialNumber": serial, "manufacturer": "Token2",
            "model": "C202", "secretKey": null, "timeIntervalInSeconds": 30, "status": "available",
            "hashFunction": "hmacsha1", "assignedTo": null
        }
    })
}

#[test]
fn reconcile_one_failure_maps_to_its_serial() {
    let tokens = many(5);
    let refs: Vec<&Token> = tokens.iter().collect();
    let s = |i: usize| tokens[i].serial_number.clone();
    // Items in another order, one with an (undocumented) per-item error, one missing.
    let response = json!({"value": [
        documented_item("id-3", &s(3)),
        {"@contentId": "2", "error": {"code": "badRequest", "message": "Duplicate serial number"}},
        documented_item("id-0", &s(0)),
        {"@contentId": 5, "id": "id-4", "device": {"id": "id-4", "serialNumber": s(4), "status": "available"}},
    ]});
    let r = reconcile(&refs, &response.to_string(), &ReconcileOptions::default()).unwrap();
    assert_eq!(r.shape, ResponseShape::Bulk);
    assert_eq!((r.created, r.failed, r.unknown), (3, 1, 1));
    let by: Vec<(String, Outcome)> = r
        .tokens
        .iter()
        .map(|t| (t.serial_number.clone(), t.result))
        .collect();
    assert_eq!(
        by,
        vec![
            (s(0), Outcome::Created),
            (s(1), Outcome::Failed),
            (s(2), Outcome::Unknown),
            (s(3), Outcome::Created),
            (s(4), Outcome::Created),
        ]
    );
    assert_eq!(
        r.tokens[1].reason.as_deref(),
        Some("badRequest: Duplicate serial number")
    );
    assert_eq!(r.tokens[3].device_id.as_deref(), Some("id-3"));
    assert_eq!(r.tokens[3].device_status.as_deref(), Some("available"));
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("no per-item error format")));
    assert!(r.unmatched.is_empty());
    assert!(!r.all_created());
}

#[test]
fn reconcile_error_body_fails_every_token_of_the_part() {
    let tokens = many(5);
    let refs: Vec<&Token> = tokens.iter().collect();
    let secret = tokens[1].secret.to_base32().to_ascii_lowercase();
    let response = format!(
        r#"{{"error":{{"code":"Request_BadRequest","message":"Invalid secretKey {secret}","innerError":{{"request-id":"r-1","date":"2025-01-01T00:00:00"}}}}}}"#
    );
    let o = ReconcileOptions {
        chunk: 2,
        part: Some(2),
    };
    let r = reconcile(&refs, &response, &o).unwrap();
    assert_eq!(r.shape, ResponseShape::Error);
    assert_eq!(
        r.tokens.iter().map(|t| t.record).collect::<Vec<_>>(),
        vec![2, 3]
    );
    assert_eq!((r.created, r.failed, r.unknown), (0, 2, 0));
    let reason = r.tokens[0].reason.as_deref().unwrap();
    assert!(
        reason.contains("Request_BadRequest") && reason.contains("request-id r-1"),
        "{reason}"
    );
    assert!(
        reason.contains("[secret]") && !reason.to_ascii_lowercase().contains(&secret),
        "{reason}"
    );
    // Without a part on a multi-part file, the answer says to give one.
    let r = reconcile(
        &refs,
        &response,
        &ReconcileOptions {
            chunk: 2,
            part: None,
        },
    )
    .unwrap();
    assert_eq!(r.failed, 5);
    assert!(r.notes.iter().any(|n| n.contains("which part")));
    let e = reconcile(
        &refs,
        &response,
        &ReconcileOptions {
            chunk: 2,
            part: Some(4),
        },
    )
    .unwrap_err();
    assert!(e.message.contains("part 4 does not exist"), "{}", e.message);
}

#[test]
fn reconcile_batch_and_conflicts() {
    let tokens = many(3);
    let refs: Vec<&Token> = tokens.iter().collect();
    let s = |i: usize| tokens[i].serial_number.clone();
    let response = json!({"responses": [
        {"id": "1", "status": 201, "body": {"id": "d-0", "serialNumber": s(0), "status": "available"}},
        {"id": "2", "status": 400, "body": {"error": {"code": "badRequest", "message": "nope"}}},
        {"id": "3", "status": 201, "body": {"id": "d-x", "serialNumber": s(1)}},
    ]});
    let r = reconcile(&refs, &response.to_string(), &ReconcileOptions::default()).unwrap();
    assert_eq!(r.shape, ResponseShape::Batch);
    assert_eq!(r.tokens[0].result, Outcome::Created);
    assert_eq!(r.tokens[1].result, Outcome::Failed);
    assert_eq!(
        r.tokens[1].reason.as_deref(),
        Some("HTTP 400 badRequest: nope")
    );
    // id 3 says serial of token 2: conflict, reported, token 3 stays unknown.
    assert_eq!(r.tokens[2].result, Outcome::Unknown);
    assert_eq!(r.unmatched.len(), 1);
    assert!(
        r.unmatched[0].message.contains("but the item says serial"),
        "{}",
        r.unmatched[0].message
    );
}

#[test]
fn reconcile_single_device_raw_http_and_unusable() {
    let tokens = many(2);
    let refs: Vec<&Token> = tokens.iter().collect();
    let text = format!(
        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n\r\n{{\"id\":\"d-1\",\"serialNumber\":\"{}\",\"status\":\"available\"}}",
        tokens[1].serial_number
    );
    let r = reconcile(&refs, &text, &ReconcileOptions::default()).unwrap();
    assert_eq!(r.shape, ResponseShape::Device);
    assert_eq!((r.created, r.unknown), (1, 1));
    for bad in ["", "{", "{\"foo\": 1}", "42"] {
        assert!(
            reconcile(&refs, bad, &ReconcileOptions::default()).is_err(),
            "{bad:?}"
        );
    }
    let e = reconcile(&refs, "{\"value\": [", &ReconcileOptions::default()).unwrap_err();
    assert!(e.message.contains("line 1"), "{}", e.message);
}

#[test]
fn reconcile_round_trip_of_built_requests() {
    // What we send and what Graph answers line up by @contentId across chunks.
    let tokens = many(7);
    let refs: Vec<&Token> = tokens.iter().collect();
    let mut o = RequestOptions::new(RequestKind::CreateBulk);
    o.chunk = 3;
    let reqs = build_requests(&refs, &o).unwrap();
    let items: Vec<Value> = reqs[1].body.as_ref().unwrap()["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| json!({"@contentId": i["@contentId"], "id": "x", "device": {"id": "x"}}))
        .collect();
    let r = reconcile(
        &refs,
        &json!({ "value": items }).to_string(),
        &ReconcileOptions {
            chunk: 3,
            part: Some(2),
        },
    )
    .unwrap();
    assert_eq!(
        r.tokens.iter().map(|t| t.record).collect::<Vec<_>>(),
        vec![3, 4, 5]
    );
    assert!(r.all_created());
}

// ---- the CLI over a real token file ----

fn hwoath(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hwoath"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_prints_the_goldens() {
    for kind in RequestKind::ALL {
        for format in Format::ALL {
            let mut args = vec!["graph", "tokens.json"];
            let flags = golden_case(kind).2;
            args.extend(flags.iter().map(String::as_str));
            args.extend(["--format", format.as_str()]);
            let out = Command::new(env!("CARGO_BIN_EXE_hwoath"))
                .args(&args)
                .current_dir(golden_dir())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let want =
                std::fs::read_to_string(golden_dir().join(format!("{kind}.{}", ext(format))))
                    .unwrap();
            assert_eq!(String::from_utf8(out.stdout).unwrap(), want, "{args:?}");
        }
    }
}

#[test]
fn cli_refuses_bad_options_and_invalid_files() {
    let file = golden_dir().join("tokens.json");
    let file = file.to_str().unwrap();
    // A missing device id is unusable input: exit 2, one line naming the option.
    let out = hwoath(&["graph", file, "--request", "delete"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--device-id"));
    assert!(out.stdout.is_empty());
    let out = hwoath(&["graph", file, "--request", "create-bulk", "--chunk", "0"]);
    assert_eq!(out.status.code(), Some(2));
    let out = hwoath(&["graph", file, "--request", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    // A file with an invalid record: exit 1, errors on stderr, nothing on stdout, no secret.
    let text = std::fs::read_to_string(golden_dir().join("tokens.json"))
        .unwrap()
        .replace(
            "\"timeIntervalInSeconds\": 60",
            "\"timeIntervalInSeconds\": 45",
        );
    let dir = std::env::temp_dir().join(format!("hwoath-graph-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, text).unwrap();
    let out = hwoath(&["graph", bad.to_str().unwrap(), "--request", "create-bulk"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        // The 60 s token is the second record (index 1): "record 2" as the page counts.
        err.contains("invalid record") && err.contains("error[HW110] record 2 "),
        "{err}"
    );
    for s in secret_texts(&fixture_tokens()) {
        assert!(!err.contains(&s));
    }
    let out = hwoath(&["reconcile", bad.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn cli_reconcile_text_json_and_exit_codes() {
    let file = golden_dir().join("tokens.json");
    let file = file.to_str().unwrap();
    let dir = std::env::temp_dir().join(format!("hwoath-reconcile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, v: &Value| {
        let p = dir.join(name);
        std::fs::write(&p, v.to_string()).unwrap();
        p.to_str().unwrap().to_string()
    };
    let all = write(
        "all.json",
        &json!({"value": [documented_item("d-1", "865923712"), documented_item("d-2", "2300000000001")]}),
    );
    let out = hwoath(&["reconcile", file, &all]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("created  865923712  (record 1, @contentId 1): device d-1, available"),
        "{text}"
    );
    assert!(
        text.contains("2 token(s): 2 created, 0 failed, 0 unknown"),
        "{text}"
    );

    let one_failed = write(
        "one.json",
        &json!({"value": [documented_item("d-1", "865923712"), {"@contentId": "2", "error": {"code": "badRequest", "message": "Duplicate"}}]}),
    );
    let out = hwoath(&["reconcile", file, &one_failed, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tokens"][1]["serialNumber"], "2300000000001");
    assert_eq!(v["tokens"][1]["result"], "failed");
    assert_eq!(v["tokens"][1]["reason"], "badRequest: Duplicate");
    assert_eq!(v["tokens"][0]["result"], "created");
    assert_eq!(
        (v["created"].as_u64(), v["failed"].as_u64()),
        (Some(1), Some(1))
    );

    let junk = write("junk.json", &json!({"hello": "world"}));
    let out = hwoath(&["reconcile", file, &junk]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Graph response"));
}

#[test]
fn cli_takes_the_user_from_the_csv_upn() {
    let dir = std::env::temp_dir().join(format!("hwoath-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("legacy.csv");
    std::fs::write(
        &csv,
        "upn,serial number,secret key,timeinterval,manufacturer,model\nhelga@contoso.com,0012345,JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP,60,Token2,C202\n",
    )
    .unwrap();
    let out = hwoath(&[
        "graph",
        csv.to_str().unwrap(),
        "--request",
        "assign-and-activate-by-serial",
        "--time",
        "1700000000",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v[0]["url"],
        "https://graph.microsoft.com/beta/users/helga@contoso.com/authentication/hardwareOathMethods/assignAndActivateBySerialNumber"
    );
    assert_eq!(v[0]["body"]["serialNumber"], "0012345");
    // 60 s, SHA-1 (the CSV default): oathtool agrees.
    let want = oathtool(
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        HashAlg::Sha1,
        60,
        1_700_000_000,
    );
    assert_eq!(v[0]["body"]["verificationCode"], want.as_str());
    assert_eq!(v[0]["expiresAt"], 1_700_000_040);
}
