//! Contract test against Microsoft's published schema: every request hwoath can emit is checked
//! against tests/data/graph-schema.json, facts written from microsoftgraph/msgraph-metadata's
//! beta CSDL and type mappings (commits named in the file): each URL path segment is an entity
//! set, singleton, navigation property, key or bound action of the type it is applied to; each
//! body property exists on the type with a matching JSON type (enum values among the members);
//! required properties and action parameters are present; `$select`/`$filter` name real
//! properties. The validator is shown to fail on wrong requests too.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use hwoath::core::graph::{
    build_requests_with, read_user_methods, read_users, usable_tokens, GraphRequest,
    InventoryQuery, Need, RequestInputs, RequestKind, RequestOptions, GRAPH_BASE,
};
use hwoath::core::tokenfile::{self, parse_listing, ParseOptions};
use serde_json::{json, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

struct Schema(Value);

/// Where a URL has got to: a collection or a single entity of a type, or a `$ref`.
#[derive(Clone, Debug)]
enum At {
    Entity { ty: String, collection: bool },
    Action { name: String, params: Value },
    Ref { target: String },
}

fn decode(seg: &str) -> String {
    let b = seg.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&seg[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

impl Schema {
    fn load() -> Schema {
        Schema(serde_json::from_str(&read("tests/data/graph-schema.json")).unwrap())
    }

    fn ty(&self, name: &str) -> Option<&Value> {
        self.0["entityTypes"]
            .get(name)
            .or_else(|| self.0["complexTypes"].get(name))
    }

    /// The type and its base types, most derived first.
    fn chain(&self, name: &str) -> Vec<String> {
        let mut out = vec![name.to_string()];
        let mut cur = name.to_string();
        while let Some(base) = self.ty(&cur).and_then(|t| t["base"].as_str()) {
            out.push(base.to_string());
            cur = base.to_string();
        }
        out
    }

    fn property(&self, ty: &str, name: &str) -> Option<&Value> {
        self.chain(ty)
            .iter()
            .find_map(|t| self.ty(t)?.get("properties")?.get(name))
    }

    fn nav(&self, ty: &str, name: &str) -> Option<&Value> {
        self.chain(ty)
            .iter()
            .find_map(|t| self.ty(t)?.get("navigation")?.get(name))
    }

    fn action(&self, name: &str, ty: &str, collection: bool) -> Option<&Value> {
        let chain = self.chain(ty);
        self.0["actions"].as_array().unwrap().iter().find(|a| {
            a["name"] == name
                && a["collection"] == collection
                && chain.iter().any(|t| a["boundTo"] == t.as_str())
        })
    }

    fn doc(&self, key: &str) -> &Value {
        &self.0["documented"][key]
    }

    /// A JSON value against an EDM type.
    fn value(&self, ty: &str, v: &Value, path: &str) -> Result<(), String> {
        if v.is_null() {
            return Ok(());
        }
        if let Some(inner) = ty
            .strip_prefix("Collection(")
            .and_then(|t| t.strip_suffix(')'))
        {
            return match v.as_array() {
                Some(items) => items.iter().try_for_each(|i| self.value(inner, i, path)),
                None => Err(format!("{path}: {ty} needs an array, got {v}")),
            };
        }
        let ok = match ty {
            "Edm.String" => v.is_string(),
            "Edm.Int32" => v.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
            "Edm.Boolean" => v.is_boolean(),
            "Edm.DateTimeOffset" => v.is_string(),
            enum_ty if self.0["enumTypes"].get(enum_ty).is_some() => {
                let members = self.0["enumTypes"][enum_ty].as_array().unwrap();
                return match v.as_str() {
                    Some(s) if members.iter().any(|m| m == s) => Ok(()),
                    _ => Err(format!("{path}: {v} is not a member of {enum_ty}")),
                };
            }
            object_ty if self.ty(object_ty).is_some() => {
                return self.object(object_ty, v, path, Mode::Reference);
            }
            other => return Err(format!("{path}: type {other} is not in the schema file")),
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{path}: {v} is not a {ty}"))
        }
    }

    /// An object's members against a type's properties and navigation properties.
    fn object(&self, ty: &str, v: &Value, path: &str, mode: Mode) -> Result<(), String> {
        let obj = v
            .as_object()
            .ok_or(format!("{path}: {ty} needs an object, got {v}"))?;
        for (k, val) in obj {
            let here = format!("{path}.{k}");
            if k == "@odata.type" {
                let named = val
                    .as_str()
                    .and_then(|s| s.strip_prefix("#microsoft.graph."))
                    .ok_or(format!("{here}: {val}"))?;
                if !self.chain(named).iter().any(|t| t == ty) {
                    return Err(format!("{here}: {named} is not a {ty}"));
                }
                continue;
            }
            if k == "@contentId" && mode == Mode::DeltaItem {
                if !val.is_string() {
                    return Err(format!("{here}: not a string"));
                }
                continue;
            }
            if let Some(p) = self.property(ty, k) {
                self.value(p["type"].as_str().unwrap(), val, &here)?;
            } else if let Some(n) = self.nav(ty, k) {
                self.object(n["type"].as_str().unwrap(), val, &here, Mode::Reference)?;
            } else {
                return Err(format!("{here}: {ty} has no property {k}"));
            }
        }
        if matches!(mode, Mode::Create | Mode::DeltaItem) {
            let mut required: Vec<String> = self
                .doc("requiredOnCreate")
                .as_array()
                .map(|r| r.iter().map(|s| s.as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            for t in self.chain(ty) {
                if t == "entity" {
                    continue; // the key is the server's
                }
                if let Some(props) = self.ty(&t).and_then(|t| t["properties"].as_object()) {
                    for (name, p) in props {
                        if p["nullable"] == false {
                            required.push(name.clone());
                        }
                    }
                }
            }
            if ty == "hardwareOathTokenAuthenticationMethodDevice" {
                for r in required {
                    if !obj.contains_key(&r) {
                        return Err(format!("{path}: required property {r} missing"));
                    }
                }
            }
        }
        if mode == Mode::Update && ty == "hardwareOathTokenAuthenticationMethodDevice" {
            let allowed = self.doc("updatableDeviceProperties").as_array().unwrap();
            for k in obj.keys() {
                if !allowed.iter().any(|a| a == k) {
                    return Err(format!("{path}: {k} cannot be updated"));
                }
            }
        }
        Ok(())
    }

    /// Walks a path (after the service root) through the schema.
    fn walk(&self, path: &str) -> Result<At, String> {
        let mut segs = path.trim_start_matches('/').split('/').map(decode);
        let first = segs.next().ok_or("empty path")?;
        let c = self.0["container"]
            .get(&first)
            .ok_or(format!("{first} is not in the entity container"))?;
        let mut at = At::Entity {
            ty: c["type"].as_str().unwrap().into(),
            collection: c["kind"] == "entitySet",
        };
        let mut prev = first;
        for seg in segs {
            at = match at {
                At::Entity {
                    ty,
                    collection: true,
                } => match self.action(&seg, &ty, true) {
                    Some(a) => At::Action {
                        name: seg.clone(),
                        params: a["parameters"].clone(),
                    },
                    None => {
                        // A key; a documented key cast names the derived type it returns.
                        let cast = self
                            .doc("keyCasts")
                            .get(format!("{prev}/{seg}"))
                            .and_then(Value::as_str);
                        if seg.is_empty() {
                            return Err(format!("empty key after {prev}"));
                        }
                        At::Entity {
                            ty: cast.unwrap_or(&ty).to_string(),
                            collection: false,
                        }
                    }
                },
                At::Entity {
                    ty,
                    collection: false,
                } => {
                    if let Some(n) = self.nav(&ty, &seg) {
                        let target = n["type"].as_str().unwrap().to_string();
                        if n["collection"] == false && n["containsTarget"] == false {
                            At::Ref { target }
                        } else {
                            At::Entity {
                                ty: target,
                                collection: n["collection"] == true,
                            }
                        }
                    } else if let Some(a) = self.action(&seg, &ty, false) {
                        At::Action {
                            name: seg.clone(),
                            params: a["parameters"].clone(),
                        }
                    } else {
                        return Err(format!(
                            "{ty} has no navigation property or bound action {seg}"
                        ));
                    }
                }
                At::Ref { target } if seg == "$ref" => At::Ref {
                    target: format!("$ref:{target}"),
                },
                other => return Err(format!("nothing can follow {other:?} ({seg})")),
            };
            prev = seg;
        }
        Ok(at)
    }

    fn query(&self, ty: &str, query: &str) -> Result<(), String> {
        for part in query.split('&') {
            let (k, v) = part.split_once('=').ok_or(format!("query {part}"))?;
            let v = decode(v);
            match k {
                "$select" => {
                    for p in v.split(',') {
                        if self.property(ty, p).is_none() && self.nav(ty, p).is_none() {
                            return Err(format!("$select: {ty} has no property {p}"));
                        }
                    }
                }
                "$filter" => {
                    let (prop, lit) = v
                        .split_once(" eq ")
                        .ok_or(format!("$filter {v}: only eq is used"))?;
                    let p = self
                        .property(ty, prop)
                        .ok_or(format!("$filter: {ty} has no property {prop}"))?;
                    let lit = lit
                        .strip_prefix('\'')
                        .and_then(|l| l.strip_suffix('\''))
                        .ok_or(format!("$filter literal {lit}"))?;
                    self.value(
                        p["type"].as_str().unwrap(),
                        &json!(lit.replace("''", "'")),
                        "$filter",
                    )?;
                }
                "$top" => {
                    v.parse::<u32>().map_err(|_| format!("$top {v}"))?;
                }
                other => return Err(format!("query option {other} is not used by hwoath")),
            }
        }
        Ok(())
    }

    fn check(&self, r: &GraphRequest) -> Result<(), String> {
        let rest = r
            .url
            .strip_prefix(GRAPH_BASE)
            .ok_or("not on the beta root")?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        if path == "/$batch" {
            if r.method != "POST" {
                return Err("$batch is POST".into());
            }
            let items = r
                .body
                .as_ref()
                .and_then(|b| b["requests"].as_array())
                .ok_or("$batch without requests")?;
            if items.len() as u64 > self.doc("batchMaxRequests").as_u64().unwrap() {
                return Err(format!("{} requests in one $batch", items.len()));
            }
            for i in items {
                if i["method"] != "GET" || !i["id"].is_string() {
                    return Err(format!("batch item {i}"));
                }
                let url = i["url"].as_str().unwrap();
                let (p, q) = url.split_once('?').unwrap_or((url, ""));
                match self.walk(p)? {
                    At::Entity {
                        ty,
                        collection: false,
                    } => self.query(&ty, q)?,
                    other => return Err(format!("batch item {url} is {other:?}")),
                }
            }
            return Ok(());
        }
        let at = self.walk(path)?;
        let body = r.body.as_ref();
        match (&at, r.method) {
            (At::Entity { ty, .. }, "GET") => {
                if body.is_some() {
                    return Err("GET with a body".into());
                }
                if !query.is_empty() {
                    self.query(ty, query)?;
                }
            }
            (
                At::Entity {
                    ty,
                    collection: true,
                },
                "POST",
            ) => {
                let mode = if ty == "hardwareOathTokenAuthenticationMethodDevice" {
                    Mode::Create
                } else {
                    Mode::Reference
                };
                self.object(ty, body.ok_or("POST without body")?, "body", mode)?;
            }
            (
                At::Entity {
                    ty,
                    collection: true,
                },
                "PATCH",
            ) => {
                let b = body.ok_or("PATCH without body")?;
                if b["@context"] != "#$delta" {
                    return Err("a PATCH of a collection is a #$delta body".into());
                }
                for (i, item) in b["value"]
                    .as_array()
                    .ok_or("delta without value")?
                    .iter()
                    .enumerate()
                {
                    self.object(ty, item, &format!("value.{i}"), Mode::DeltaItem)?;
                }
                if b.as_object().unwrap().len() != 2 {
                    return Err("delta body has other members".into());
                }
            }
            (
                At::Entity {
                    ty,
                    collection: false,
                },
                "PATCH",
            ) => {
                let b = body.ok_or("PATCH without body")?;
                self.object(ty, b, "body", Mode::Update)?;
                if ty == "hardwareOathAuthenticationMethodConfiguration"
                    && b["@odata.type"] != *self.doc("policyUpdateODataType")
                {
                    return Err("the policy PATCH must carry its @odata.type".into());
                }
            }
            (
                At::Entity {
                    collection: false, ..
                },
                "DELETE",
            ) => {
                if body.is_some() {
                    return Err("DELETE with a body".into());
                }
            }
            (At::Action { name, params }, "POST") => {
                let empty = json!({});
                let b = body.unwrap_or(&empty).as_object().ok_or("action body")?;
                for (k, v) in b {
                    let p = params
                        .get(k)
                        .ok_or(format!("{name} has no parameter {k}"))?;
                    self.value(p["type"].as_str().unwrap(), v, k)?;
                }
                if let Some(req) = self.doc("requiredActionParameters").get(name) {
                    for p in req.as_array().unwrap() {
                        if !b.contains_key(p.as_str().unwrap()) {
                            return Err(format!("{name} needs {p}"));
                        }
                    }
                }
            }
            (At::Ref { target }, "PUT") => {
                let target = target
                    .strip_prefix("$ref:")
                    .ok_or("a reference is set at $ref")?;
                let b = body
                    .and_then(|b| b.as_object())
                    .ok_or("$ref without body")?;
                if b.len() != 1 {
                    return Err("a $ref body has only @odata.id".into());
                }
                let id = b
                    .get("@odata.id")
                    .and_then(Value::as_str)
                    .ok_or("no @odata.id")?;
                let prefix = self.doc("refUrlPrefix").as_str().unwrap();
                let key = id.strip_prefix(prefix).ok_or(format!("@odata.id {id}"))?;
                if !hwoath::core::token::is_guid(key) {
                    return Err(format!("@odata.id must use the object id: {key}"));
                }
                match self.walk(&id[GRAPH_BASE.len()..])? {
                    At::Entity {
                        ty,
                        collection: false,
                    } if ty == target => {}
                    other => return Err(format!("@odata.id is {other:?}, not a {target}")),
                }
            }
            (at, m) => return Err(format!("{m} on {at:?}")),
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Create,
    DeltaItem,
    Update,
    Reference,
}

/// Every request hwoath can emit, one case per kind and the variations that change a body or
/// URL (assignTo at creation, display names, filters, resolved users, listings).
fn every_request() -> Vec<(String, GraphRequest)> {
    let golden =
        tokenfile::validate(&read("tests/golden/tokens.json"), &ParseOptions::default()).unwrap();
    let legacy = tokenfile::validate(
        &read("tests/fixtures/graph/legacy.csv"),
        &ParseOptions::default(),
    )
    .unwrap();
    let g = usable_tokens(&golden).unwrap();
    let l = usable_tokens(&legacy).unwrap();
    let users = read_users(&l, None, &[&read("tests/fixtures/graph/users-batch.json")]).unwrap();
    let listing = parse_listing(&read("tests/fixtures/graph/listing.json")).unwrap();
    let methods =
        read_user_methods(&[&read("tests/fixtures/graph/user-methods-doubled.json")]).unwrap();
    let doubled = parse_listing(&read("tests/fixtures/graph/listing-doubled.json")).unwrap();
    let mut out = Vec::new();
    for kind in RequestKind::ALL {
        let mut o = RequestOptions::new(kind);
        o.time = Some(1_700_000_000);
        // The golden file, its first token by device id.
        let mut inputs = RequestInputs::default();
        if kind.needs_device_id()
            || matches!(
                kind,
                RequestKind::UserMethods | RequestKind::CleanupDuplicate
            )
        {
            o.serial = Some("865923712".into());
        }
        if kind.needs_device_id() {
            o.device_id = Some("aad49556-1111-4222-8333-000000000001".into());
        }
        if kind == RequestKind::CleanupDuplicate {
            inputs.user_methods = Some(methods.clone());
            inputs.listing = Some(doubled.clone());
        }
        if kind == RequestKind::AssignAndActivateBySerial {
            o.user = Some("0cadbf92-1111-4222-8333-444455556666".into());
        }
        for r in build_requests_with(&g, &o, &inputs).unwrap_or_else(|e| panic!("{kind}: {e}")) {
            out.push((format!("{kind} (golden file)"), r));
        }
        // The legacy CSV with resolved users and a listing (skip what needs a doubled token).
        if matches!(kind, RequestKind::CleanupDuplicate) {
            continue;
        }
        let mut o = RequestOptions::new(kind);
        o.time = Some(1_700_000_000);
        if kind.info().needs.serial != Need::No {
            o.serial = Some("865923702".into());
        }
        let inputs = RequestInputs {
            users: Some(users.clone()),
            listing: Some(listing.clone()),
            inventory: InventoryQuery {
                available_only: true,
                top: Some(100),
            },
            ..RequestInputs::default()
        };
        for r in
            build_requests_with(&l, &o, &inputs).unwrap_or_else(|e| panic!("{kind} (legacy): {e}"))
        {
            out.push((format!("{kind} (legacy CSV, resolved)"), r));
        }
    }
    out
}

#[test]
fn every_request_matches_microsofts_schema() {
    let schema = Schema::load();
    let requests = every_request();
    let mut kinds_seen = std::collections::HashSet::new();
    let mut failures = Vec::new();
    for (case, r) in &requests {
        kinds_seen.insert(case.split(' ').next().unwrap().to_string());
        if let Err(e) = schema.check(r) {
            failures.push(format!("{case}: {} {}: {e}", r.method, r.url));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        kinds_seen.len(),
        RequestKind::ALL.len(),
        "every kind was checked"
    );
    // The create bodies with assignTo and displayName were among them.
    assert!(requests.iter().any(|(_, r)| r
        .body
        .as_ref()
        .is_some_and(|b| b.to_string().contains("\"assignTo\""))));
    assert!(requests.iter().any(|(_, r)| r
        .body
        .as_ref()
        .is_some_and(|b| b.to_string().contains("\"displayName\""))));
}

#[test]
fn the_schema_file_names_its_sources() {
    let schema = Schema::load();
    let sources = schema.0["sources"].as_array().unwrap();
    assert!(sources
        .iter()
        .any(|s| s["path"] == "schemas/beta-Prod.csdl"));
    for s in sources {
        let c = s["commit"].as_str().unwrap();
        assert!(
            c.len() == 40 && c.bytes().all(|b| b.is_ascii_hexdigit()),
            "{c}"
        );
    }
}

#[test]
fn the_validator_refuses_what_graph_would() {
    let schema = Schema::load();
    let (_, good) = every_request()
        .into_iter()
        .find(|(c, r)| {
            c.starts_with("create ") && r.body.as_ref().is_some_and(|b| b.get("assignTo").is_some())
        })
        .unwrap();
    schema.check(&good).unwrap();
    let with = |f: &dyn Fn(&mut GraphRequest)| {
        let mut r = good.clone();
        f(&mut r);
        schema.check(&r)
    };
    type Mutation = Box<dyn Fn(&mut GraphRequest)>;
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "misspelled property",
            Box::new(|r: &mut GraphRequest| {
                let b = r.body.as_mut().unwrap().as_object_mut().unwrap();
                let v = b.remove("serialNumber").unwrap();
                b.insert("serialnumber".into(), v);
            }),
        ),
        (
            "period as a string",
            Box::new(|r: &mut GraphRequest| {
                r.body.as_mut().unwrap()["timeIntervalInSeconds"] = json!("30");
            }),
        ),
        (
            "missing secret",
            Box::new(|r: &mut GraphRequest| {
                r.body
                    .as_mut()
                    .unwrap()
                    .as_object_mut()
                    .unwrap()
                    .remove("secretKey");
            }),
        ),
        (
            "hash not a member",
            Box::new(|r: &mut GraphRequest| {
                r.body.as_mut().unwrap()["hashFunction"] = json!("hmacsha512");
            }),
        ),
        (
            "wrong navigation segment",
            Box::new(|r: &mut GraphRequest| {
                r.url = r.url.replace("hardwareOathDevices", "hardwareOathDevice");
            }),
        ),
        (
            "assignTo member not on user",
            Box::new(|r: &mut GraphRequest| {
                r.body.as_mut().unwrap()["assignTo"] = json!({"upn": "a@b"});
            }),
        ),
    ];
    for (name, f) in cases {
        assert!(with(&*f).is_err(), "{name} was accepted");
    }
    // Actions, queries, the policy's @odata.type, $ref bodies.
    let all = every_request();
    let find = |kind: &str| {
        all.iter()
            .find(|(c, _)| c.starts_with(&format!("{kind} ")))
            .unwrap()
            .1
            .clone()
    };
    let mut a = find("activate");
    a.url = a.url.replace("/activate", "/activateWithSecret");
    assert!(schema.check(&a).is_err(), "an action that does not exist");
    let mut a = find("activate");
    a.body
        .as_mut()
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove("verificationCode");
    assert!(schema.check(&a).is_err(), "activate without a code");
    let filtered = all
        .iter()
        .find(|(c, r)| c.starts_with("list-all ") && r.url.contains("$filter"))
        .unwrap()
        .1
        .clone();
    schema.check(&filtered).unwrap();
    let mut l = filtered.clone();
    l.url = l
        .url
        .replace("status%20eq%20'available'", "status%20eq%20'free'");
    assert!(schema.check(&l).is_err(), "a status that is not a member");
    let mut l = find("list-all");
    l.url = l.url.replace("$select=id,", "$select=id,secret,");
    assert!(schema.check(&l).is_err(), "an unknown $select property");
    let mut p = find("enable-policy");
    p.body
        .as_mut()
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove("@odata.type");
    assert!(
        schema.check(&p).is_err(),
        "the policy PATCH without @odata.type"
    );
    let mut u = find("update");
    u.body.as_mut().unwrap()["secretKey"] = json!("JBSWY3DP");
    assert!(schema.check(&u).is_err(), "the secret cannot be updated");
    let mut rf = find("assign-ref");
    rf.body = Some(json!({"@odata.id": format!("{GRAPH_BASE}/users/helga@contoso.com")}));
    assert!(schema.check(&rf).is_err(), "a UPN in @odata.id");
}
