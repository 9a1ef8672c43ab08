//! Open data, end to end with the real binary: the HSDS export read back by
//! the crawler's HSDS source, the HSDS API under `/hsds/`, cache validators
//! and cross-origin reading, and the operator's reports inbox.

use crate::common;

use common::{client, run, TempDir, TestApp};
use serde_json::Value;
use std::path::Path;

const DAY: &str = "2026-11-24";

fn crawl(data: &Path, source: &str) {
    let (ok, stdout, stderr) = run(&[
        "crawl",
        "--data-dir",
        data.to_str().unwrap(),
        "--today",
        DAY,
        "--source",
        source,
    ]);
    assert!(ok, "crawl {source}:\n{stdout}\n{stderr}");
}

fn listings(data: &Path) -> Vec<Value> {
    let (ok, stdout, stderr) = run(&["export", "--data-dir", data.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    serde_json::from_str::<Value>(&stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// The facts HSDS carries, keyed by listing id (the read-back listings come
/// from another source kind, yet keep their ids).
fn facts(listing: &Value) -> (String, Value) {
    let point = &listing["point"];
    let exact = point["precision"] == "exact";
    (
        listing["id"].as_str().unwrap().to_string(),
        serde_json::json!({
            "name": listing["name"],
            "program_name": listing["program_name"],
            "address": listing["address"],
            "description": listing["description"],
            "phone": listing["phone"],
            "intake_phone": listing["intake_phone"],
            "website": listing["website"],
            "facets": listing["facets"],
            "sessions": listing["schedule"]["sessions"],
            "point": if exact { point.clone() } else { Value::Null },
        }),
    )
}

#[test]
fn an_hsds_export_reads_back_to_the_same_listings() {
    let original = TempDir::new("hsds-original");
    crawl(original.path(), "sample=embedded");
    let package = TempDir::new("hsds-package");
    let (ok, stdout, stderr) = run(&[
        "export",
        "--data-dir",
        original.path().to_str().unwrap(),
        "--format",
        "hsds",
        "--out",
        package.path().to_str().unwrap(),
    ]);
    assert!(ok, "{stdout}\n{stderr}");
    for file in [
        "datapackage.json",
        "services.csv",
        "organizations.csv",
        "service_at_locations.csv",
        "locations.csv",
        "addresses.csv",
        "phones.csv",
        "schedules.csv",
        "attributes.csv",
        "taxonomy_terms.csv",
        "metadata.csv",
        "json/services.json",
    ] {
        assert!(package.path().join(file).exists(), "{file} written");
    }
    let descriptor: Value =
        serde_json::from_slice(&std::fs::read(package.path().join("datapackage.json")).unwrap())
            .unwrap();
    assert_eq!(descriptor["profile"], "tabular-data-package");
    assert!(descriptor["licenses"][0]["title"]
        .as_str()
        .unwrap()
        .contains("Fictional"));
    // a fact is said once, as metadata of its service: the organization's
    // and the service at location's metadata are their sources and licences
    let mut metadata = csv::Reader::from_path(package.path().join("metadata.csv")).unwrap();
    let headers = metadata.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (kind, field) = (column("resource_type"), column("field_name"));
    let mut facts_said = std::collections::HashSet::new();
    for row in metadata.records() {
        let row = row.unwrap();
        if &row[kind] != "service" {
            assert!(
                ["source", "licence"].contains(&&row[field]),
                "a fact on a {}: {row:?}",
                &row[kind]
            );
        } else if !["source", "licence"].contains(&&row[field]) {
            let resource = &row[column("resource_id")];
            assert!(
                facts_said.insert((resource.to_string(), row[field].to_string())),
                "{resource} {} twice",
                &row[field]
            );
        }
    }
    assert!(!facts_said.is_empty());
    let before = listings(original.path());
    for (form, location) in [
        ("CSV package", package.path().to_path_buf()),
        ("JSON", package.path().join("json")),
    ] {
        let copy = TempDir::new("hsds-copy");
        crawl(copy.path(), &format!("hsds={}", location.to_str().unwrap()));
        let after = listings(copy.path());
        assert_eq!(after.len(), before.len(), "{form}: every listing read back");
        // the same program keeps its listing id (and so its URL and HSDS ids)
        let ids = |listings: &[Value]| -> std::collections::BTreeSet<String> {
            listings.iter().map(id_of).collect()
        };
        assert_eq!(ids(&after), ids(&before), "{form}: listing ids kept");
        assert!(after.iter().all(|l| l["sources"][0]["kind"] == "hsds"));
        let after: std::collections::BTreeMap<String, Value> = after.iter().map(facts).collect();
        let mut differences = Vec::new();
        for listing in &before {
            let (key, facts) = facts(listing);
            match after.get(&key) {
                Some(read) if *read == facts => {}
                Some(read) => differences.push(format!("{key}:\n  was  {facts}\n  read {read}")),
                None => differences.push(format!("{key}: not read back")),
            }
        }
        assert!(
            differences.is_empty(),
            "{form}: {} of {} differ:\n{}",
            differences.len(),
            before.len(),
            differences.join("\n")
        );
    }
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

#[test]
fn the_hsds_api_pages_finds_and_filters() {
    let app = TestApp::start();
    let (status, root) = app.json("/hsds/");
    assert_eq!(status, 200);
    assert_eq!(root["version"], "3.0");

    let (status, first) = app.json("/hsds/services?per_page=5");
    assert_eq!(status, 200);
    let total = first["total_items"].as_u64().unwrap();
    assert!(total > 5, "{first}");
    assert_eq!(first["size"], 5);
    assert_eq!(first["page_number"], 1);
    assert_eq!(first["first_page"], true);
    assert_eq!(first["last_page"], false);
    assert_eq!(first["total_pages"], total.div_ceil(5));
    // pages do not overlap, and together list every service once
    let mut ids = std::collections::HashSet::new();
    for page in 1..=first["total_pages"].as_u64().unwrap() {
        let (_, p) = app.json(&format!("/hsds/services?per_page=5&page={page}"));
        for s in p["contents"].as_array().unwrap() {
            assert!(ids.insert(id_of(s)), "{} twice", s["id"]);
            assert!(
                s.get("service_at_locations").is_none(),
                "lists are not nested"
            );
        }
    }
    assert_eq!(ids.len() as u64, total);

    // one service, fully nested; the same id across requests
    let id = id_of(&first["contents"][0]);
    let (status, service) = app.json(&format!("/hsds/services/{id}"));
    assert_eq!(status, 200);
    assert_eq!(service["id"], id.as_str());
    let sal = &service["service_at_locations"][0];
    let (status, same) = app.json(&format!("/hsds/service_at_locations/{}", id_of(sal)));
    assert_eq!(status, 200);
    assert_eq!(same["service"]["id"], id.as_str());
    let org = service["organization"]["id"].as_str().unwrap().to_string();
    let (status, organization) = app.json(&format!("/hsds/organizations/{org}"));
    assert_eq!(status, 200);
    assert_eq!(organization["services"][0]["id"], id.as_str());
    let (_, by_org) = app.json(&format!("/hsds/services?organization_id={org}"));
    assert_eq!(by_org["total_items"], 1);

    // a taxonomy term selects the services that carry it
    let (_, terms) = app.json("/hsds/taxonomy_terms?search=medicaid&per_page=500");
    let medicaid = terms["contents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "insurance/medicaid")
        .expect("the vocabulary's Medicaid term")
        .clone();
    let (_, with) = app.json(&format!(
        "/hsds/services?taxonomy_term_id={}&per_page=500&full=true",
        id_of(&medicaid)
    ));
    let n = with["total_items"].as_u64().unwrap();
    assert!(n > 0 && n < total, "{n} of {total}");
    for s in with["contents"].as_array().unwrap() {
        assert!(s["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["taxonomy_term_id"] == medicaid["id"]));
    }
    // text search
    let (_, found) = app.json(&format!(
        "/hsds/services?search={}",
        service["name"].as_str().unwrap().replace(' ', "+")
    ));
    assert!(found["contents"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == id.as_str()));
    // modified_after: every program checked today, none tomorrow
    let (_, all) = app.json("/hsds/services?modified_after=2000-01-01");
    assert_eq!(all["total_items"].as_u64().unwrap(), total);
    let (_, none) = app.json("/hsds/services?modified_after=2999-01-01T00:00:00Z");
    assert_eq!(none["total_items"], 0);
    assert_eq!(none["empty"], true);

    let (_, taxonomies) = app.json("/hsds/taxonomies");
    assert_eq!(taxonomies["total_items"], 2);

    // minimal: every service in one page, as just its id and date
    let (status, minimal) = app.json("/hsds/services?minimal=true");
    assert_eq!(status, 200, "{minimal}");
    assert_eq!(minimal["total_items"].as_u64().unwrap(), total);
    assert_eq!(minimal["size"].as_u64().unwrap(), total, "one call");
    let mut minimal_ids = std::collections::HashSet::new();
    for s in minimal["contents"].as_array().unwrap() {
        let keys: Vec<&String> = s.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["id", "modified_date"], "{s}");
        let date = s["modified_date"].as_str().unwrap();
        assert!(date.len() == 20 && date.ends_with("T00:00:00Z"), "{date}");
        minimal_ids.insert(id_of(s));
    }
    assert_eq!(minimal_ids, ids, "the same services");
    let (_, two) = app.json("/hsds/services?minimal=true&per_page=2&page=2");
    assert_eq!(two["size"], 2);

    // proximity: the programs within so many metres of the postcode's
    // centre, the same ones the site's search finds within as many miles
    let (_, near) = app.json("/api/v1/search?near=10001&radius=60&per_page=100");
    let expected: std::collections::BTreeSet<String> = near["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    let (status, found) = app.json(&format!(
        "/hsds/service_at_locations?postcode=10001&proximity={}&per_page=500",
        60.0 * 1609.344
    ));
    assert_eq!(status, 200, "{found}");
    let found: std::collections::BTreeSet<String> = found["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|sal| id_of(sal)[24..].to_string())
        .collect();
    assert!(!expected.is_empty() && (expected.len() as u64) < total);
    assert_eq!(found, expected);
    let (_, tiny) = app.json("/hsds/service_at_locations?postcode=10001&proximity=1");
    assert_eq!(tiny["total_items"], 0, "{tiny}");

    // mistakes: 400 naming the parameter, 404 for unknown ids
    for (path, parameter) in [
        ("/hsds/services?per_page=0", "per_page"),
        ("/hsds/services?page=abc", "page"),
        ("/hsds/services?modified_after=yesterday", "modified_after"),
        ("/hsds/services?taxonomy_term_id=nope", "taxonomy_term_id"),
        ("/hsds/services?colour=red", "colour"),
        ("/hsds/services?format=xml", "format"),
        ("/hsds/services?minimal=true&full=true", "minimal"),
        ("/hsds/services?minimal=maybe", "minimal"),
        ("/hsds/services?minimal=true&per_page=20001", "per_page"),
        ("/hsds/service_at_locations?proximity=1000", "proximity"),
        (
            "/hsds/service_at_locations?postcode=10001&proximity=-5",
            "proximity",
        ),
        (
            "/hsds/service_at_locations?postcode=10001&proximity=far",
            "proximity",
        ),
        (
            "/hsds/service_at_locations?postcode=99999&proximity=1000",
            "postcode",
        ),
        ("/hsds/services?proximity=1000", "proximity"),
    ] {
        let (status, body) = app.json(path);
        assert_eq!(status, 400, "{path}");
        assert_eq!(body["parameter"], parameter, "{path}: {body}");
        assert!(body["error"].as_str().unwrap().len() > 10);
    }
    let (status, _) = app.json("/hsds/services/00000000-0000-8000-8000-000000000000");
    assert_eq!(status, 404);
    let (status, _) = app.json(&format!("/hsds/organizations/{id}"));
    assert_eq!(status, 404, "a service id is not an organization id");
}

/// A `format=ndjson` answer of `path`: its records, a line each.
fn ndjson_records(app: &TestApp, path: &str) -> Vec<Value> {
    let r = app.get(path);
    assert_eq!(r.status(), 200, "{path}");
    assert_eq!(
        r.headers()["content-type"],
        "application/x-ndjson",
        "{path}"
    );
    let body = r.text().unwrap();
    assert!(body.is_empty() || body.ends_with('\n'), "{path}");
    body.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{path}: {e}: {line}")))
        .collect()
}

#[test]
fn the_hsds_lists_stream_as_ndjson() {
    let app = TestApp::start();
    // every result of a list, without pages, as the JSON pages give them
    for (list, query) in [
        ("services", ""),
        ("services", "full=true&"),
        ("services", "minimal=true&"),
        ("organizations", ""),
        ("service_at_locations", ""),
        ("service_at_locations", "postcode=10001&proximity=96560&"),
        ("services", "search=evening&"),
        ("services", "modified_after=2999-01-01&"),
        ("taxonomies", ""),
        ("taxonomy_terms", ""),
        ("taxonomy_terms", "search=medicaid&"),
    ] {
        let per_page = if query.starts_with("minimal") {
            20000
        } else {
            500
        };
        let (status, paged) = app.json(&format!("/hsds/{list}?{query}per_page={per_page}"));
        assert_eq!(status, 200, "{list}?{query}: {paged}");
        assert_eq!(
            paged["last_page"], true,
            "{list}?{query}: one page holds all"
        );
        let lines = ndjson_records(&app, &format!("/hsds/{list}?{query}format=ndjson"));
        assert_eq!(
            lines,
            paged["contents"].as_array().unwrap().clone(),
            "{list}?{query}"
        );
        assert_eq!(lines.len() as u64, paged["total_items"].as_u64().unwrap());
    }
    let (_, all) = app.json("/hsds/services?per_page=1");
    assert!(all["total_items"].as_u64().unwrap() > 1);
    // a filter that keeps some: fewer lines than services, each of them kept
    let (_, terms) = app.json("/hsds/taxonomy_terms?search=medicaid&per_page=500");
    let medicaid = terms["contents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "insurance/medicaid")
        .unwrap()
        .clone();
    let with = ndjson_records(
        &app,
        &format!(
            "/hsds/services?taxonomy_term_id={}&full=true&format=NDJSON",
            id_of(&medicaid)
        ),
    );
    assert!(!with.is_empty() && (with.len() as u64) < all["total_items"].as_u64().unwrap());
    for s in &with {
        assert!(s["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["taxonomy_term_id"] == medicaid["id"]));
    }
    // pages do not apply to ndjson; other formats are refused
    for (path, parameter) in [
        ("/hsds/services?format=ndjson&page=2", "page"),
        ("/hsds/organizations?per_page=5&format=ndjson", "per_page"),
        ("/hsds/taxonomy_terms?format=ndjson&page=1", "page"),
        ("/hsds/taxonomies?format=csv", "format"),
    ] {
        let (status, body) = app.json(path);
        assert_eq!(status, 400, "{path}");
        assert_eq!(body["parameter"], parameter, "{path}: {body}");
    }
}

#[test]
fn answers_carry_validators_and_the_api_is_readable_from_any_origin() {
    let app = TestApp::start();
    for path in ["/", "/api/v1/search?near=95814", "/hsds/services"] {
        let r = app.get(path);
        assert_eq!(r.status(), 200, "{path}");
        let etag = r.headers()["etag"].to_str().unwrap().to_string();
        let modified = r.headers()["last-modified"].to_str().unwrap().to_string();
        assert!(r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age"));
        let again = client()
            .get(format!("{}{path}", app.url))
            .header("if-none-match", &etag)
            .send()
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert!(again.text().unwrap().is_empty());
        let since = client()
            .get(format!("{}{path}", app.url))
            .header("if-modified-since", &modified)
            .send()
            .unwrap();
        assert_eq!(since.status(), 304, "{path}");
        let other = client()
            .get(format!("{}{path}", app.url))
            .header("if-none-match", "W/\"g-other\"")
            .send()
            .unwrap();
        assert_eq!(other.status(), 200, "{path}");
        let cors = r.headers().get("access-control-allow-origin");
        if path == "/" {
            assert!(cors.is_none(), "pages are not for other origins");
        } else {
            assert_eq!(cors.unwrap(), "*", "{path}");
        }
    }
    // errors of the API are readable from other origins too
    let r = app.get("/api/v1/search?colour=red");
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert!(r.headers().get("etag").is_none());
    // preflight: GET only, no credentials
    let r = client()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/hsds/services", app.url),
        )
        .header("origin", "https://example.org")
        .header("access-control-request-method", "GET")
        .send()
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["access-control-allow-methods"], "GET, HEAD");
    assert!(r
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
    // the health check is never cached
    assert!(app.get("/healthz").headers().get("etag").is_none());
}

#[test]
fn the_operator_reads_and_resolves_reports() {
    let app = TestApp::start();
    let data = app.data.path().to_str().unwrap().to_string();
    let (_, search) = app.json("/api/v1/search?per_page=2");
    let id = search["results"][0]["id"].as_str().unwrap().to_string();
    let other = search["results"][1]["id"].as_str().unwrap().to_string();
    let (_, page) = app.html(&format!("/programs/{id}"));
    assert!(!page.contains("correction to this listing was reported"));
    let etag = app.get(&format!("/programs/{id}")).headers()["etag"].clone();

    let post = |listing: &str, body: &'static str| {
        let r = common::no_redirects()
            .post(format!("{}/programs/{listing}/report", app.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .unwrap();
        assert_eq!(r.status(), 303);
    };
    post(&id, "problem=wrong-phone&details=The+number+rings+a+bakery");
    post(&other, "problem=closed&details=Closed+in+May");

    // the page says a correction was reported, not what the report says
    let (_, page) = app.html(&format!("/programs/{id}"));
    assert!(
        page.contains("correction to this listing was reported"),
        "notice shown"
    );
    assert!(!page.contains("bakery"));
    let r = client()
        .get(format!("{}/programs/{id}", app.url))
        .header("if-none-match", etag)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200, "a new report changes the validators");

    let (ok, list, stderr) = run(&["reports", "list", "--data-dir", &data]);
    assert!(ok, "{stderr}");
    assert!(list.contains("2 reports, 2 open"), "{list}");
    let first = list.find(&other).unwrap();
    let second = list.find(&id).unwrap();
    assert!(first < second, "newest first:\n{list}");
    assert!(list.contains("changed since:"), "{list}");

    let (ok, show, _) = run(&["reports", "show", "1", "--data-dir", &data]);
    assert!(ok);
    assert!(show.contains("bakery") && show.contains(&id), "{show}");
    assert!(show.contains("Status:    open"));

    let (ok, _, stderr) = run(&["reports", "show", "9", "--data-dir", &data]);
    assert!(!ok);
    assert!(stderr.contains("no report #9"), "{stderr}");

    let (ok, out, stderr) = run(&[
        "reports",
        "resolve",
        "1",
        "--note",
        "phone corrected",
        "--data-dir",
        &data,
    ]);
    assert!(ok, "{out}{stderr}");
    let (ok, _, stderr) = run(&[
        "reports",
        "resolve",
        "1",
        "--note",
        "x",
        "--data-dir",
        &data,
    ]);
    assert!(!ok && stderr.contains("was resolved"), "{stderr}");

    let (_, list, _) = run(&["reports", "list", "--data-dir", &data]);
    assert!(
        list.contains("2 reports, 1 open") && !list.contains(&id),
        "{list}"
    );
    let (_, list, _) = run(&["reports", "list", "--all", "--data-dir", &data]);
    assert!(list.contains("resolved") && list.contains(&id), "{list}");
    let (_, page) = app.html(&format!("/programs/{id}"));
    assert!(
        !page.contains("correction to this listing was reported"),
        "resolved: no notice"
    );
    let (_, page) = app.html(&format!("/programs/{other}"));
    assert!(page.contains("correction to this listing was reported"));
}

/// A validator of `#/components/schemas/{name}` of an OpenAPI 3.1 document.
fn schema_validator(document: &Value, name: &str) -> jsonschema::Validator {
    let mut schema = document.clone();
    schema["$ref"] = Value::String(format!("#/components/schemas/{name}"));
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_valid(validator: &jsonschema::Validator, value: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
}

#[test]
fn the_api_answers_as_its_openapi_description_says() {
    let app = TestApp::start();
    let r = app.get("/api/v1/openapi.json");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let document: Value = r.json().unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    // every path the description names answers, and each answer it
    // describes validates against its schema
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.contains_key("/api/v1/search") && paths.contains_key("/api/v1/programs/{id}"));
    let schema_of = |path: &str, status: &str| -> String {
        document["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]
            ["$ref"]
            .as_str()
            .unwrap_or_else(|| panic!("{path} {status} has a schema"))
            .rsplit('/')
            .next()
            .unwrap()
            .to_string()
    };
    let search = schema_validator(&document, &schema_of("/api/v1/search", "200"));
    let error = schema_validator(&document, &schema_of("/api/v1/search", "400"));
    let program = schema_validator(&document, &schema_of("/api/v1/programs/{id}", "200"));
    let missing = schema_validator(&document, &schema_of("/api/v1/programs/{id}", "404"));
    let mut ids = Vec::new();
    for query in [
        "",
        "near=95814",
        "near=Sacramento,+CA&radius=100&insurance=medicaid&insurance=medicare&sort=name",
        "q=evening&per_page=100",
        "near=10001&radius=500&per_page=100&page=2",
    ] {
        let (status, body) = app.json(&format!("/api/v1/search?{query}"));
        assert_eq!(status, 200, "{query}");
        assert_valid(&search, &body, query);
        for row in body["results"].as_array().unwrap() {
            ids.push(row["id"].as_str().unwrap().to_string());
        }
    }
    // facet parameters of the description are the ones the API takes
    let parameters = document["paths"]["/api/v1/search"]["get"]["parameters"]
        .as_array()
        .unwrap();
    for p in parameters {
        let name = p["name"].as_str().unwrap();
        if let Some(value) = p["schema"]["items"]["enum"].get(0) {
            let (status, body) = app.json(&format!(
                "/api/v1/search?{name}={}",
                value.as_str().unwrap()
            ));
            assert_eq!(status, 200, "{name}: {body}");
        }
    }
    ids.sort();
    ids.dedup();
    assert!(ids.len() > 10);
    for id in &ids {
        let (status, body) = app.json(&format!("/api/v1/programs/{id}"));
        assert_eq!(status, 200);
        assert_valid(&program, &body, id);
    }
    for query in [
        "colour=red",
        "near=99999",
        "radius=abc",
        "insurance=gold",
        "page=0",
    ] {
        let (status, body) = app.json(&format!("/api/v1/search?{query}"));
        assert_eq!(status, 400, "{query}");
        assert_valid(&error, &body, query);
    }
    let (status, body) = app.json("/api/v1/programs/000000000000");
    assert_eq!(status, 404);
    assert_valid(&missing, &body, "404");
    // a wrong shape is caught (the test can fail)
    let mut broken = app.json(&format!("/api/v1/programs/{}", ids[0])).1;
    broken["address"]["zip"] = Value::from(2108);
    assert!(program.iter_errors(&broken).next().is_some());
}

#[test]
fn the_directory_downloads_with_its_licence_sources_and_date() {
    let app = TestApp::start();
    let (_, health) = app.json("/healthz");
    let (status, package) = app.json("/download/datapackage.json");
    assert_eq!(status, 200);
    assert_eq!(package["created"], health["built_at"]);
    assert_eq!(package["generation"], health["generation"]);
    assert!(package["sources"][0]["licence"].as_str().unwrap().len() > 10);
    let r = app.get("/download/iop-programs.jsonl");
    assert_eq!(r.status(), 200);
    assert!(r.headers()["link"]
        .to_str()
        .unwrap()
        .contains("describedby"));
    let body = r.text().unwrap();
    let lines: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, health["listings"].as_u64().unwrap());
    assert!(lines.iter().all(|l| l["sources"][0]["title"].is_string()));
    let r = app.get("/download/iop-programs.csv");
    assert_eq!(r.status(), 200);
    let csv = r.text().unwrap();
    assert_eq!(
        csv.lines().count() as u64,
        health["listings"].as_u64().unwrap() + 1
    );
    let (_, about) = app.html("/about");
    assert!(
        about.contains("/download/iop-programs.csv")
            && about.contains("/download/iop-programs.jsonl")
    );
    let (_, sitemap) = app.html("/sitemap.xml");
    assert!(
        sitemap.contains("/download/iop-programs.jsonl</loc>"),
        "{sitemap}"
    );
}

#[test]
fn a_record_id_that_is_not_utf8_is_the_apis_json_400() {
    let app = TestApp::start();
    for path in [
        "/hsds/services/%FF",
        "/hsds/organizations/%ED%A0%80",
        "/hsds/service_at_locations/%FF",
        "/hsds/taxonomies/%FF",
        "/hsds/taxonomy_terms/%C3",
    ] {
        let r = app.get(path);
        assert_eq!(r.status(), 400, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{path}"
        );
        let body: Value = r.json().unwrap();
        assert_eq!(body["parameter"], "id", "{path}");
        assert!(body["error"].as_str().unwrap().contains("UTF-8"), "{path}");
    }
}
