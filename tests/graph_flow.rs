//! The Graph workflow an admin walks: a legacy CSV that names users by UPN → resolve-users →
//! upload, assign and activate with object ids → the cleanup of a token held twice; the answers
//! read back (the $batch answer with 200/404/guest/disabled, every listing shape, errors never
//! read as created); the curl rendering's retry loop run for real against a local HTTP server;
//! the PowerShell script's structure (pwsh is not installable here: no Microsoft registry).
#![cfg(not(target_arch = "wasm32"))]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use hwoath::core::graph::render::{self, Format};
use hwoath::core::graph::script::{powershell_script, ScriptOptions};
use hwoath::core::graph::{
    build_requests_with, read_user_methods, read_users, reconcile, usable_tokens, Outcome,
    ReconcileOptions, RequestError, RequestInputs, RequestKind, RequestOptions, ResponseShape,
    UserState, BATCH_LIMIT, GRAPH_BASE,
};
use hwoath::core::token::{is_guid, Token};
use hwoath::core::tokenfile::{self, parse_listing, ParseOptions};
use hwoath::core::{HashAlg, Secret};
use serde_json::{json, Value};

const TIME: u64 = 1_700_000_000;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/graph")
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(dir().join(name)).unwrap()
}

fn legacy_report() -> tokenfile::Report {
    tokenfile::validate(&fixture("legacy.csv"), &ParseOptions::default()).unwrap()
}

fn hwoath(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hwoath"))
        .args(args)
        .current_dir(dir())
        .output()
        .unwrap()
}

fn json_out(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every request names its permission and least-privileged role, and no UPN is an object id.
fn check_requests(v: &Value) {
    for r in v.as_array().unwrap() {
        assert!(!r["permission"].as_str().unwrap().is_empty(), "{r}");
        assert!(!r["role"].as_str().unwrap().is_empty(), "{r}");
        if let Some(items) = r["body"]["value"].as_array() {
            for i in items {
                if let Some(id) = i["assignTo"]["id"].as_str() {
                    assert!(is_guid(id), "a UPN in assignTo.id: {id}");
                }
            }
        }
    }
}

#[test]
fn admin_walk_from_a_legacy_csv() {
    // 1. The resolve step: one $batch for the four UPNs, with permission and role.
    let v = json_out(&hwoath(&[
        "graph",
        "legacy.csv",
        "--request",
        "resolve-users",
    ]));
    check_requests(&v);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["url"], format!("{GRAPH_BASE}/$batch"));
    assert_eq!(v[0]["permission"], "User.Read.All");
    let ids: Vec<&str> = v[0]["body"]["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["1", "2", "3", "4"]);
    assert!(v[0]["body"]["requests"][1]["url"]
        .as_str()
        .unwrap()
        .contains("ann_fabrikam.com%23EXT%23@"));

    // Without the answer, a request that needs an object id is refused, naming the step.
    let out = hwoath(&[
        "graph",
        "legacy.csv",
        "--request",
        "assign-ref",
        "--serial",
        "865923701",
        "--device-id",
        "aad49556-0000-4000-8000-000000000701",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("resolve-users") && err.contains("helga@contoso.com"),
        "{err}"
    );

    // 2. Upload with the answer: assignTo carries object ids; the guest and the unknown user
    // are created unassigned, the guest with warning HW501, the disabled user with HW502.
    let out = hwoath(&[
        "graph",
        "legacy.csv",
        "--request",
        "create-bulk",
        "--users",
        "users-batch.json",
    ]);
    let v = json_out(&out);
    check_requests(&v);
    let items = v[0]["body"]["value"].as_array().unwrap();
    let assigned: Vec<Option<&str>> = items.iter().map(|i| i["assignTo"]["id"].as_str()).collect();
    assert_eq!(
        assigned,
        [
            Some("0cadbf92-0000-4000-8000-000000000001"),
            None,
            Some("5a8b1c3e-0000-4000-8000-000000000003"),
            None
        ]
    );
    assert!(v[0]["permission"]
        .as_str()
        .unwrap()
        .contains("UserAuthenticationMethod.ReadWrite.All"));
    let codes: Vec<&str> = v[0]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["HW501", "HW502"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("HW503") && err.contains("nobody@contoso.com"),
        "{err}"
    );
    assert!(
        v[0]["note"].as_str().unwrap().contains("404"),
        "{}",
        v[0]["note"]
    );

    // The upload's answer maps back to the tokens.
    let out = hwoath(&["reconcile", "legacy.csv", "upload-answer.json", "--json"]);
    assert_eq!(out.status.code(), Some(1), "one token is not in the answer");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (r["created"].as_u64(), r["unknown"].as_u64()),
        (Some(3), Some(1))
    );

    // 3. Assign by serial, the device id found in the listing, the user by object id.
    let out = hwoath(&[
        "graph",
        "legacy.csv",
        "--request",
        "assign",
        "--serial",
        "865923702",
        "--users",
        "users-batch.json",
        "--listing",
        "listing.json",
    ]);
    let v = json_out(&out);
    check_requests(&v);
    assert_eq!(
        v[0]["url"],
        format!("{GRAPH_BASE}/users/9e1f2a3b-0000-4000-8000-000000000002/authentication/hardwareOathMethods")
    );
    assert_eq!(
        v[0]["body"],
        json!({"device": {"id": "aad49556-0000-4000-8000-000000000702"}})
    );
    assert_eq!(
        v[0]["warnings"][0]["code"], "HW501",
        "the guest is warned about"
    );
    // For the whole file the unknown user's token has no device: refused, naming the serial.
    let out = hwoath(&[
        "graph",
        "legacy.csv",
        "--request",
        "assign",
        "--users",
        "users-batch.json",
        "--listing",
        "listing.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("865923704"));

    // 4. Activate every usable token at once: object ids, device ids from the listing, codes.
    let out = hwoath(&[
        "graph",
        "legacy.csv",
        "--request",
        "activate",
        "--serial",
        "865923703",
        "--users",
        "users-batch.json",
        "--listing",
        "listing.json",
        "--time",
        &TIME.to_string(),
    ]);
    let v = json_out(&out);
    check_requests(&v);
    assert_eq!(
        v[0]["url"],
        format!("{GRAPH_BASE}/users/5a8b1c3e-0000-4000-8000-000000000003/authentication/hardwareOathMethods/aad49556-0000-4000-8000-000000000703/activate")
    );
    let code = v[0]["body"]["verificationCode"].as_str().unwrap();
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(v[0]["warnings"][0]["code"], "HW502");

    // 5. The doubled token: the two DELETEs of Microsoft's steps, on the legacy id only.
    let golden = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/tokens.json");
    let out = hwoath(&[
        "graph",
        golden.to_str().unwrap(),
        "--request",
        "cleanup-duplicate",
        "--serial",
        "865923712",
        "--user-methods",
        "user-methods-doubled.json",
        "--listing",
        "listing-doubled.json",
    ]);
    let v = json_out(&out);
    check_requests(&v);
    let lines: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["url"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            format!("DELETE {GRAPH_BASE}/users/0cadbf92-1111-4222-8333-444455556666/authentication/hardwareOathMethods/3dee0e53-2222-4333-8444-000000000009"),
            format!("DELETE {GRAPH_BASE}/directory/authenticationMethodDevices/hardwareOathDevices/3dee0e53-2222-4333-8444-000000000009"),
        ]
    );
    assert_eq!(v[0]["permission"], "UserAuthenticationMethod.ReadWrite.All");
    assert_eq!(v[1]["permission"], "Policy.ReadWrite.AuthenticationMethod");
    assert!(v[0]["note"].as_str().unwrap().contains("legacy instance"));
}

#[test]
fn the_batch_answer_per_user_and_token() {
    let report = legacy_report();
    let tokens = usable_tokens(&report).unwrap();
    let r = read_users(&tokens, None, &[&fixture("users-batch.json")]).unwrap();
    let states: Vec<UserState> = r.tokens.iter().map(|t| t.state).collect();
    assert_eq!(
        states,
        [
            UserState::Found,
            UserState::Guest,
            UserState::Disabled,
            UserState::NotFound
        ]
    );
    assert_eq!(
        (r.found, r.guests, r.disabled, r.not_found, r.missing),
        (3, 1, 1, 1, 0)
    );
    assert_eq!(
        r.tokens[0].object_id.as_deref(),
        Some("0cadbf92-0000-4000-8000-000000000001")
    );
    assert_eq!(r.tokens[3].object_id, None);
    let codes: Vec<&str> = r.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["HW501", "HW502", "HW503"]);
    // The same answer as PowerShell's loop prints it (compact, no headers) and as raw HTTP.
    let compact = serde_json::to_string(
        &serde_json::from_str::<Value>(&fixture("users-batch.json")).unwrap(),
    )
    .unwrap();
    let raw = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{compact}");
    for text in [compact.clone(), raw] {
        let again = read_users(&tokens, None, &[&text]).unwrap();
        assert_eq!(again.tokens, r.tokens);
    }
    // Ids from another batch: an item whose UPN disagrees with its request id is ignored (and
    // said so), an id out of range falls back to the UPN.
    let other = compact
        .replace("\"id\":\"1\"", "\"id\":\"9\"")
        .replace("\"id\":\"3\"", "\"id\":\"1\"");
    let r2 = read_users(&tokens, None, &[&other]).unwrap();
    assert_eq!(
        r2.tokens[0].state,
        UserState::Found,
        "matched by userPrincipalName"
    );
    assert_eq!(r2.tokens[2].state, UserState::Missing, "{:?}", r2.tokens[2]);
    assert!(r2
        .diagnostics
        .iter()
        .any(|d| d.code == "HW504" && d.message.contains("names olaf@contoso.com")));
    // An error for the whole batch resolves nothing.
    assert!(read_users(&tokens, None, &[r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges"}}"#]).is_err());
    // reconcile refuses it (users are not devices) instead of reading ids as @contentIds.
    let e = reconcile(&tokens, &compact, &ReconcileOptions::default()).unwrap_err();
    assert!(e.message.contains("--users"), "{}", e.message);
}

fn token(serial: &str, user: Option<String>) -> Token {
    Token {
        serial_number: serial.into(),
        manufacturer: "Token2".into(),
        model: "C202".into(),
        secret: Secret::from_bytes(serial.as_bytes().repeat(2)),
        time_interval: 30,
        hash_function: HashAlg::Sha1,
        display_name: None,
        assign_to: user,
    }
}

#[test]
fn resolve_users_batches_hold_at_most_twenty() {
    // 45 tokens, 43 distinct users (case-insensitive duplicates, one object id).
    let mut tokens: Vec<Token> = (0..43)
        .map(|i| token(&format!("10{i:02}"), Some(format!("user{i}@contoso.com"))))
        .collect();
    tokens.push(token("2000", Some("USER0@contoso.com".into())));
    tokens.push(token(
        "2001",
        Some("0cadbf92-1111-4222-8333-444455556666".into()),
    ));
    let refs: Vec<&Token> = tokens.iter().collect();
    let reqs = build_requests_with(
        &refs,
        &RequestOptions::new(RequestKind::ResolveUsers),
        &RequestInputs::default(),
    )
    .unwrap();
    let sizes: Vec<usize> = reqs
        .iter()
        .map(|r| {
            r.body.as_ref().unwrap()["requests"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(sizes, [BATCH_LIMIT, BATCH_LIMIT, 3]);
    let ids: Vec<String> = reqs
        .iter()
        .flat_map(|r| {
            r.body.as_ref().unwrap()["requests"]
                .as_array()
                .unwrap()
                .clone()
        })
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, (1..=43).map(|i| i.to_string()).collect::<Vec<_>>());
    assert!(
        reqs[0].records.contains(&43),
        "the duplicate UPN's token is in the first batch"
    );
}

#[test]
fn every_listing_shape_gives_the_same_devices() {
    let device = json!({
        "id": "aad49556-0000-4000-8000-000000000701", "displayName": null, "serialNumber": "865923701",
        "manufacturer": "Token2", "model": "C202", "secretKey": null, "timeIntervalInSeconds": 30,
        "status": "assigned", "hashFunction": "hmacsha1", "assignedTo": {"id": "0cadbf92-0000-4000-8000-000000000001", "displayName": "Helga"}
    });
    let nested = json!({"@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethod", "id": device["id"], "device": device});
    let page = json!({"@odata.context": "x", "value": [device]}).to_string();
    let shapes = [
        ("page", page.clone()),
        ("nested page", json!({"value": [nested]}).to_string()),
        ("bare array", json!([device]).to_string()),
        ("one device (get)", device.to_string()),
        (
            "the Get page's {value: device}",
            json!({"value": device}).to_string(),
        ),
        (
            "raw HTTP",
            format!("HTTP/2 200\r\ncontent-type: application/json\r\n\r\n{page}"),
        ),
        (
            "PowerShell output with a welcome line",
            format!("Welcome to Microsoft Graph!\n{page}\n"),
        ),
        (
            "UTF-8 BOM (Set-Content -Encoding UTF8 in Windows PowerShell)",
            format!("\u{feff}{page}"),
        ),
    ];
    for (name, text) in shapes {
        let d = parse_listing(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(d.len(), 1, "{name}");
        assert_eq!(
            d[0].id.as_deref(),
            Some("aad49556-0000-4000-8000-000000000701"),
            "{name}"
        );
        assert_eq!(d[0].serial_number, "865923701", "{name}");
        assert_eq!(d[0].status.as_deref(), Some("assigned"), "{name}");
    }
    // An error answer is not a listing.
    for text in [
        r#"{"error":{"code":"Forbidden","message":"no"}}"#.to_string(),
        "Invoke-MgGraphRequest: GET https://graph.microsoft.com/beta/x\nHTTP/2.0 403 Forbidden\n\n{\"error\":{\"code\":\"accessDenied\",\"message\":\"Access denied\"}}".to_string(),
    ] {
        assert!(parse_listing(&text).is_err(), "{text}");
    }
    // Invisible controls in listing fields are flagged.
    let bad =
        json!({"value": [{"id": "x\u{202e}", "serialNumber": "1", "secretKey": null}]}).to_string();
    let (_, findings) = tokenfile::parse_listing_checked(&bad).unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code, "HW510");
}

#[test]
fn an_error_answer_for_a_part_is_a_failure_never_created() {
    let tokens: Vec<Token> = (0..4).map(|i| token(&format!("50{i}"), None)).collect();
    let refs: Vec<&Token> = tokens.iter().collect();
    let part = |p| ReconcileOptions {
        chunk: 2,
        part: Some(p),
    };
    let ok = json!({"value": [
        {"id": "d0", "device": {"id": "d0", "serialNumber": "500", "status": "available"}},
        {"id": "d1", "device": {"id": "d1", "serialNumber": "501", "status": "available"}}
    ]})
    .to_string();
    let r = reconcile(&refs, &ok, &part(1)).unwrap();
    assert!(r.all_created());
    // Part 2 answered with Graph's error, as JSON, as PowerShell printed it, and as the
    // success answer of part 1 pasted as part 2 (it names no token of part 2).
    let error = r#"{"error":{"code":"BadRequest","message":"Invalid value for secretKey","innerError":{"request-id":"r-2"}}}"#;
    let ps = format!("Invoke-MgGraphRequest : PATCH {GRAPH_BASE}/x\r\nHTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n\r\n{error}\r\nAt line:1 char:1\r\n+ Invoke-MgGraphRequest -Method PATCH\r\n");
    for text in [error.to_string(), ps] {
        let r = reconcile(&refs, &text, &part(2)).unwrap();
        assert_eq!(r.shape, ResponseShape::Error);
        assert_eq!(
            r.tokens
                .iter()
                .map(|t| (t.record, t.result))
                .collect::<Vec<_>>(),
            [(2, Outcome::Failed), (3, Outcome::Failed)]
        );
        assert!(r.tokens[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("BadRequest"));
        assert_eq!(r.created, 0);
    }
    let r = reconcile(&refs, &ok, &part(2)).unwrap();
    assert_eq!(r.created, 0, "part 1's answer creates nothing in part 2");
    assert_eq!(r.unmatched.len(), 2);
}

#[test]
fn cleanup_needs_a_real_duplicate() {
    let mut t = token(
        "865923712",
        Some("0cadbf92-1111-4222-8333-444455556666".into()),
    );
    t.secret = Secret::parse("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        .unwrap()
        .secret;
    let refs = [&t];
    let methods = read_user_methods(&[&fixture("user-methods-doubled.json")]).unwrap();
    let listing = parse_listing(&fixture("listing-doubled.json")).unwrap();
    let o = RequestOptions::new(RequestKind::CleanupDuplicate);
    let inputs = |m: Option<_>, l: Option<_>| RequestInputs {
        user_methods: m,
        listing: l,
        ..RequestInputs::default()
    };
    assert_eq!(
        build_requests_with(&refs, &o, &inputs(Some(methods.clone()), None)).unwrap_err(),
        RequestError::CleanupNeedsAnswers
    );
    let reqs = build_requests_with(
        &refs,
        &o,
        &inputs(Some(methods.clone()), Some(listing.clone())),
    )
    .unwrap();
    assert_eq!(reqs.len(), 2);
    // Held once: nothing to clean up, and the message says why.
    let m = &methods.methods[1];
    let one = json!({"value": [{"id": m.id, "device": {"id": m.device_id, "serialNumber": m.serial_number}}]});
    let once = read_user_methods(&[&one.to_string()]).unwrap();
    let e = build_requests_with(&refs, &o, &inputs(Some(once), Some(listing.clone()))).unwrap_err();
    assert!(e.to_string().contains("holds it once"), "{e}");
    // The listing does not have the serial: which one is legacy is unknown.
    let e = build_requests_with(&refs, &o, &inputs(Some(methods), Some(vec![]))).unwrap_err();
    assert!(e.to_string().contains("listing has no device"), "{e}");
}

#[test]
fn device_ids_by_serial_from_the_listing() {
    let tokens = [
        token(
            "865923701",
            Some("0cadbf92-0000-4000-8000-000000000001".into()),
        ),
        token(
            "865923702",
            Some("0cadbf92-0000-4000-8000-000000000001".into()),
        ),
    ];
    let refs: Vec<&Token> = tokens.iter().collect();
    let listing = parse_listing(&fixture("listing.json")).unwrap();
    let mut o = RequestOptions::new(RequestKind::Delete);
    let inputs = RequestInputs {
        listing: Some(listing.clone()),
        ..RequestInputs::default()
    };
    let reqs = build_requests_with(&refs, &o, &inputs).unwrap();
    assert!(reqs[0]
        .url
        .ends_with("/aad49556-0000-4000-8000-000000000701"));
    assert!(reqs[1]
        .url
        .ends_with("/aad49556-0000-4000-8000-000000000702"));
    // update: only unassigned tokens; the listing shows 865923701 as assigned.
    o.kind = RequestKind::Update;
    assert_eq!(
        build_requests_with(&refs, &o, &inputs).unwrap_err(),
        RequestError::NotUnassigned {
            serial: "865923701".into(),
            status: "assigned".into()
        }
    );
    o.serial = Some("865923702".into());
    let r = &build_requests_with(&refs, &o, &inputs).unwrap()[0];
    assert_eq!(r.method, "PATCH");
    assert_eq!(
        r.body,
        Some(json!({"hashFunction": "hmacsha1", "timeIntervalInSeconds": 30}))
    );
    assert!(r.note.contains("only unassigned"), "{}", r.note);
    // Absent and doubled serials.
    let mut doubled = listing.clone();
    doubled.push(doubled[1].clone());
    doubled.last_mut().unwrap().id = Some("other".into());
    let e = build_requests_with(
        &refs,
        &o,
        &RequestInputs {
            listing: Some(doubled),
            ..RequestInputs::default()
        },
    )
    .unwrap_err();
    assert!(matches!(e, RequestError::TwiceInListing { .. }), "{e}");
    assert!(e.to_string().contains("more than once"));
    let e = build_requests_with(
        &refs,
        &o,
        &RequestInputs {
            listing: Some(vec![]),
            ..RequestInputs::default()
        },
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("no device with serial number 865923702"),
        "{e}"
    );
}

// ---- the curl rendering's retry loop, for real ----

struct Server {
    child: std::process::Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    fn start(dir: &Path, plan: Value) -> Server {
        let plan_path = dir.join("plan.json");
        std::fs::write(&plan_path, plan.to_string()).unwrap();
        let log = dir.join("log.jsonl");
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/retry_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(&plan_path)
            .arg(&log)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 is installed");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Server {
            child,
            port: line.trim().parse().unwrap(),
            log,
        }
    }

    fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hwoath-flow-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The curl document of a two-part bulk upload, aimed at the local server, run with `sh`.
fn run_curl(dir: &Path, port: u16) -> (std::process::Output, Vec<Token>) {
    let tokens: Vec<Token> = (0..2).map(|i| token(&format!("70{i}"), None)).collect();
    let refs: Vec<&Token> = tokens.iter().collect();
    let mut o = RequestOptions::new(RequestKind::CreateBulk);
    o.chunk = 1;
    let reqs = build_requests_with(&refs, &o, &RequestInputs::default()).unwrap();
    let doc = render::document(&reqs, Format::Curl).replace(
        "https://graph.microsoft.com",
        &format!("http://127.0.0.1:{port}"),
    );
    std::fs::write(dir.join("send.sh"), &doc).unwrap();
    let out = Command::new("sh")
        .arg("send.sh")
        .current_dir(dir)
        .env("TOKEN", "test-token")
        .output()
        .unwrap();
    (out, tokens)
}

fn created(serial: &str) -> String {
    json!({"value": [{"id": format!("d-{serial}"), "device": {"id": format!("d-{serial}"), "serialNumber": serial, "status": "available"}}]}).to_string()
}

#[test]
fn curl_retries_429_after_retry_after_then_sends_the_rest() {
    let dir = temp_dir("retry");
    let server = Server::start(
        &dir,
        json!([
            {"status": 429, "headers": {"Retry-After": "1"}, "body": "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"slow down\"}}"},
            {"status": 201, "body": created("700")},
            {"status": 503, "headers": {"Retry-After": "0"}, "body": ""},
            {"status": 201, "body": created("701")},
        ]),
    );
    let started = std::time::Instant::now();
    let (out, tokens) = run_curl(&dir, server.port);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        started.elapsed().as_secs_f64() >= 1.0,
        "Retry-After: 1 was honoured"
    );
    let seen = server.requests();
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert_eq!(
        seen[0]["body"], seen[1]["body"],
        "the same chunk was sent again"
    );
    assert_eq!(seen[2]["body"], seen[3]["body"]);
    assert_ne!(seen[1]["body"], seen[3]["body"]);
    for r in &seen {
        assert_eq!(r["method"], "PATCH");
        assert_eq!(r["authorization"], "Bearer test-token");
        let body: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["@context"], "#$delta");
    }
    assert!(
        stderr.contains("HTTP 429 (attempt 1 of 5); waiting 1 s"),
        "{stderr}"
    );
    // The answers were written as Graph sent them, and reconcile reads them as they are.
    let refs: Vec<&Token> = tokens.iter().collect();
    for (part, file) in [
        (1, "hwoath-response-1-of-2.json"),
        (2, "hwoath-response-2-of-2.json"),
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let r = reconcile(
            &refs,
            &text,
            &ReconcileOptions {
                chunk: 1,
                part: Some(part),
            },
        )
        .unwrap();
        assert!(r.all_created(), "{file}: {r:?}");
    }
}

#[test]
fn curl_stops_at_another_error_and_after_five_attempts() {
    let dir = temp_dir("stop");
    let error = "{\"error\":{\"code\":\"BadRequest\",\"message\":\"Invalid secretKey\"}}";
    let server = Server::start(&dir, json!([{"status": 400, "body": error}]));
    let (out, tokens) = run_curl(&dir, server.port);
    assert!(!out.status.success());
    assert_eq!(server.requests().len(), 1, "the second chunk was not sent");
    assert!(String::from_utf8_lossy(&out.stderr).contains("HTTP 400"));
    assert!(!dir.join("hwoath-response-2-of-2.json").exists());
    let text = std::fs::read_to_string(dir.join("hwoath-response-1-of-2.json")).unwrap();
    let refs: Vec<&Token> = tokens.iter().collect();
    let r = reconcile(
        &refs,
        &text,
        &ReconcileOptions {
            chunk: 1,
            part: Some(1),
        },
    )
    .unwrap();
    assert_eq!((r.failed, r.created), (1, 0));
    drop(server);

    let dir = temp_dir("bound");
    let busy = json!({"status": 503, "headers": {"Retry-After": "0"}, "body": ""});
    let server = Server::start(&dir, json!([busy, busy, busy, busy, busy, busy, busy]));
    let (out, _) = run_curl(&dir, server.port);
    assert!(!out.status.success());
    assert_eq!(server.requests().len(), 5, "at most five attempts");
}

// ---- the PowerShell script (structure: pwsh cannot be installed here) ----

#[test]
fn powershell_script_sends_every_chunk_with_bounded_retry() {
    let tokens: Vec<Token> = (0..5).map(|i| token(&format!("80{i}"), None)).collect();
    let refs: Vec<&Token> = tokens.iter().collect();
    let mut o = RequestOptions::new(RequestKind::CreateBulk);
    o.chunk = 2;
    let reqs = build_requests_with(&refs, &o, &RequestInputs::default()).unwrap();
    assert_eq!(reqs.len(), 3);
    let s = powershell_script(
        &reqs,
        &ScriptOptions {
            token_file: Some("tokens.json".into()),
            chunk: Some(2),
        },
    );
    // The module is checked before anything else, then one Connect-MgGraph with exactly the
    // scopes the requests need.
    let check = s
        .find("Get-Module -ListAvailable -Name Microsoft.Graph.Authentication")
        .unwrap();
    let connect_lines: Vec<&str> = s
        .lines()
        .filter(|l| l.starts_with("Connect-MgGraph"))
        .collect();
    assert_eq!(
        connect_lines,
        ["Connect-MgGraph -Scopes 'Policy.ReadWrite.AuthenticationMethod' -ErrorAction Stop"]
    );
    assert!(check < s.find("Connect-MgGraph").unwrap());
    // Every chunk is sent once, in order, each body exactly the request's, each answer to its file.
    let calls: Vec<&str> = s
        .lines()
        .filter(|l| l.starts_with("$null = Send-HwoathRequest"))
        .collect();
    assert_eq!(calls.len(), 3);
    for (i, (call, r)) in calls.iter().zip(&reqs).enumerate() {
        assert!(
            call.contains(&format!("-Method PATCH -Uri '{}'", r.url)),
            "{call}"
        );
        assert!(
            call.contains(&format!("-OutFile 'hwoath-response-{}-of-3.json'", i + 1)),
            "{call}"
        );
        let start = s.find(call).unwrap() + call.len() + 1;
        let end = start + s[start..].find("\n'@").unwrap();
        let body: Value = serde_json::from_str(&s[start..end]).unwrap();
        assert_eq!(&body, r.body.as_ref().unwrap());
        assert!(!s[start..end].lines().any(|l| l.starts_with("'@")));
    }
    // The retry is bounded, honours Retry-After, and other errors stop the script.
    assert!(s.contains("$MaxAttempts = 5"));
    assert!(s.contains("$MaxWaitSeconds = 120"));
    assert!(s.contains("for ($attempt = 1; $attempt -le $MaxAttempts; $attempt++)"));
    assert!(s.contains("$status -eq 429 -or $status -eq 503"));
    assert!(s.contains("$key -eq 'Retry-After'"));
    assert!(s.contains("[math]::Min($seconds, $MaxWaitSeconds)"));
    assert!(s.contains("Start-Sleep -Seconds $wait"));
    assert!(s.contains("exit 1"));
    // Errors are answers, not exceptions; every answer is written as JSON text.
    assert!(s.contains("OutputType = 'Json'; SkipHttpErrorCheck = $true"));
    assert!(s.contains("Set-Content -LiteralPath $OutFile -Value $json -Encoding UTF8"));
    // The reconcile lines name each part.
    assert!(
        s.contains("hwoath reconcile tokens.json hwoath-response-3-of-3.json --chunk 2 --part 3")
    );
    assert!(
        s.contains("secret keys"),
        "the script says it holds secrets"
    );
    // Braces balance outside strings and here-strings (a cheap syntax check).
    let code: String = s
        .split("@'\n")
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part.to_string()
            } else {
                part.split_once("\n'@")
                    .map(|(_, rest)| rest.to_string())
                    .unwrap_or_default()
            }
        })
        .collect();
    let opens = code.matches('{').count();
    let closes = code.matches('}').count();
    assert_eq!(opens, closes, "unbalanced braces");
}

#[test]
fn powershell_renderings_connect_first_and_print_json() {
    let tokens = [token(
        "900",
        Some("0cadbf92-0000-4000-8000-000000000001".into()),
    )];
    let refs: Vec<&Token> = tokens.iter().collect();
    for kind in [
        RequestKind::Create,
        RequestKind::ReadPolicy,
        RequestKind::ListAll,
        RequestKind::UserMethods,
    ] {
        let reqs =
            build_requests_with(&refs, &RequestOptions::new(kind), &RequestInputs::default())
                .unwrap();
        for r in &reqs {
            let ps = render::powershell(r);
            let first = ps.lines().next().unwrap();
            let scopes: Vec<String> = r.scopes().iter().map(|s| format!("'{s}'")).collect();
            assert_eq!(
                first,
                format!("Connect-MgGraph -Scopes {}", scopes.join(", ")),
                "{kind}"
            );
            assert!(ps.contains("-OutputType Json"), "{kind}: {ps}");
        }
    }
}
