//! The client on Oomnitza's vault routes, against the real simulator: the
//! one route table, the filter language, stable paging, opaque ids and
//! signing in as Oomnitza does.

mod support;

use std::time::Duration;

use oomnitza_api::routes;
use oomnitza_api::Filter;
use oomnitza_provider::oomnitza::{ApiError, Auth, BasicInput, Client, ClientConfig, NewCredential, Section};
use oomnitza_provider::secret::Secret;
use reqwest::Method;
use support::Sim;

fn client(sim: &Sim, auth: Auth) -> Client {
    let mut cfg = ClientConfig::new(sim.url.parse().unwrap(), auth);
    cfg.base_backoff = Duration::from_millis(5);
    cfg.max_backoff = Duration::from_millis(50);
    Client::new(cfg).unwrap()
}

fn token(sim: &Sim) -> Client {
    client(sim, Auth::Token(Secret::new(&sim.token)))
}

fn new_basic(name: &str) -> NewCredential {
    NewCredential {
        name: name.to_string(),
        owner: None,
        description: None,
        saas: "jira".into(),
        expiration_date: None,
        section: Section::Basic(BasicInput {
            username: "svc@example.com".into(),
            password: Secret::new("routes-test-secret"),
        }),
    }
}

#[test]
fn the_simulator_serves_every_route_of_the_table() {
    let sim = Sim::start();
    // Each route asked with no body for a credential that does not exist:
    // the status its contract gives (a 500, a bare 404 or a 405 fails).
    let expected = |r: &routes::Route| match *r {
        routes::REQUEST_TOKEN => 415, // a form is required
        routes::TOKEN_CHECK | routes::LIST => 200,
        routes::CREATE | routes::UPDATE | routes::SECRET => 400, // a JSON body is required
        routes::READ | routes::DELETE | routes::AUTHORIZE => 404,
        _ => panic!("{} has no expected status here: add it", r.label()),
    };
    for r in routes::ALL {
        let method = Method::from_bytes(r.method.as_bytes()).unwrap();
        let (status, body) = sim.req(method, &r.for_id("no-such-id"), None);
        assert_eq!(status, expected(r), "{}: {body}", r.label());
        if status == 404 {
            assert_eq!(body["error"], "no such credential", "{} answered the router's bare 404", r.label());
        }
    }
}

#[tokio::test]
async fn names_with_quotes_and_parentheses_round_trip_through_the_filter() {
    let sim = Sim::start();
    let c = token(&sim);
    let names = [
        "it's",
        "a (b) and (name eq 'c')",
        "x' or '1'='1",
        "ends with a quote'",
        "  spaced  ",
        "ünïcode ✓ 100%&skip=0",
    ];
    for n in names {
        c.create(&new_basic(n)).await.unwrap();
    }
    c.create(&new_basic("it")).await.unwrap();
    for n in names {
        let found = c.list_by_name(&oomnitza_api::Filter::new().eq("saas", "jira"), n).await.unwrap();
        assert_eq!(found.len(), 1, "{n:?}: {found:?}");
        assert_eq!(found[0].name, n);
    }
    let sent = sim.requests().into_iter().find(|r| r.starts_with("GET /api/v3/auth?")).unwrap();
    assert!(sent.contains("filter=") && sent.contains("sortby=created_at+asc"), "{sent}");
}

#[test]
fn the_simulator_refuses_what_it_does_not_understand() {
    let sim = Sim::start();
    for (query, says) in [
        ("filter=(name like 'x')", "operator"),
        ("filter=(name eq 'x') or (saas eq 'jira')", "expected `and`"),
        ("filter=(name eq 'x'", "expected `)`"),
        ("sortby=secret asc", "sortby"),
        ("sortby=name sideways", "asc or desc"),
        ("saas=jira", "unknown field"),
        ("limit=many", "limit"),
    ] {
        let (status, body) =
            sim.req(Method::GET, &format!("{}?{}", routes::LIST.path, query.replace(' ', "%20")), None);
        assert_eq!(status, 400, "{query}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{query}: {message}");
    }
}

#[tokio::test]
async fn a_bad_filter_is_a_validation_error_not_an_empty_list() {
    let sim = Sim::start();
    let c = token(&sim);
    let e = c.list_page(Filter::new().eq("name with space", "x"), 0, 10).await.unwrap_err();
    assert!(matches!(e, ApiError::Validation { status: 400, .. }), "{e:?}");
}

#[tokio::test]
async fn paging_is_stable_while_credentials_are_added() {
    let sim = Sim::start();
    sim.seed(250, "paged-");
    let c = token(&sim);
    let mut seen = Vec::new();
    let mut skip = 0;
    loop {
        let page = c.list_page(Filter::new(), skip, 100).await.unwrap();
        skip += page.len();
        seen.extend(page.iter().map(|p| p.name.clone()));
        // Someone adds credentials between our pages.
        for i in 0..7 {
            c.create(&new_basic(&format!("added-{skip}-{i}"))).await.unwrap();
        }
        if page.len() < 100 {
            break;
        }
        if skip > 2000 {
            panic!("paging does not end");
        }
    }
    let paged: Vec<&String> = seen.iter().filter(|n| n.starts_with("paged-")).collect();
    let expected: Vec<String> = (0..250).map(|n| format!("paged-{n}")).collect();
    assert_eq!(paged, expected.iter().collect::<Vec<_>>(), "every seeded credential once, in creation order");
}

#[tokio::test]
async fn ids_are_opaque_and_work_everywhere() {
    let sim = Sim::start();
    let c = token(&sim);
    let made = c.create(&new_basic("opaque")).await.unwrap().credential;
    assert!(uuid::Uuid::parse_str(&made.id).is_err(), "{} looks like a UUID", made.id);
    assert!(!made.id.is_empty() && made.id.chars().all(|ch| ch.is_ascii_alphanumeric()), "{}", made.id);
    assert_eq!(c.get(&made.id).await.unwrap().unwrap().id, made.id);
    c.delete(&made.id).await.unwrap();
    assert!(c.get(&made.id).await.unwrap().is_none());
    // An id with characters that need encoding stays one path segment.
    let (status, body) = sim.req(Method::GET, &routes::READ.for_id("a%2Fb%3Fc"), None);
    assert_eq!((status, body["error"].as_str()), (404, Some("no such credential")));
    assert!(c.get("a/b?c").await.unwrap().is_none());
    assert!(sim.requests().iter().any(|r| r == "GET /api/v3/auth/a%2Fb%3Fc"), "{:?}", sim.requests());
}

#[tokio::test]
async fn sign_in_is_form_encoded_and_checked_once() {
    let sim = Sim::start_with(&["--username", "admin", "--password", "pw 1&x=y"]);
    // Oomnitza takes form fields, not JSON.
    let (status, _) = sim.req(
        Method::POST,
        routes::REQUEST_TOKEN.path,
        Some(serde_json::json!({"login": "admin", "password": "pw 1&x=y"})),
    );
    assert!(status >= 400, "a JSON body is refused: {status}");

    let login =
        |password: &str| client(&sim, Auth::Login { username: "admin".into(), password: Secret::new(password) });
    let c = login("pw 1&x=y");
    let before = sim.requests().len();
    for _ in 0..3 {
        c.check_sign_in().await.unwrap();
    }
    let asked = sim.requests()[before..].to_vec();
    assert_eq!(asked.iter().filter(|r| r.starts_with("POST /api/request_token")).count(), 1, "{asked:?}");
    assert_eq!(asked.iter().filter(|r| *r == "GET /api/v2/mappings?name=AuthTest").count(), 1, "{asked:?}");

    let wrong = login("pw 1");
    assert!(matches!(wrong.check_sign_in().await, Err(ApiError::Unauthorized { .. })));

    // A client that has had an answer already does not ask again.
    let t = token(&sim);
    t.list_page(Filter::new(), 0, 1).await.unwrap();
    let before = sim.requests().len();
    assert!(before > 0, "the listing is in the request log: the count below can change");
    t.check_sign_in().await.unwrap();
    assert_eq!(sim.requests().len(), before);

    let bad = client(&sim, Auth::Token(Secret::new("not-the-token")));
    assert!(matches!(bad.check_sign_in().await, Err(ApiError::Unauthorized { .. })));
}

/// The simulator's out-of-band edit takes only fields the credential has,
/// as the API answers them: a misspelt edit fails loudly, naming the right
/// ones, instead of making no drift.
#[test]
fn the_simulators_edit_route_refuses_unknown_fields() {
    let sim = Sim::start();
    let made = sim.create(serde_json::json!({
        "name": "edited", "saas": "jira", "auth_type": "basic",
        "basic": {"username": "svc@example.com", "password": "edit-route-secret"}
    }));
    let id = made["id"].as_str().unwrap();
    for body in [serde_json::json!({"basic": {"email": "x@example.com"}}), serde_json::json!({"token_name": "X"})] {
        let (status, answer) = sim.req(Method::PATCH, &format!("/_sim/credentials/{id}"), Some(body.clone()));
        assert_eq!(status, 400, "{body} was taken: {answer}");
        assert!(answer.to_string().contains("basic.username"), "the known fields are named: {answer}");
    }
    assert_eq!(sim.get(id).1["basic"]["username"], "svc@example.com", "nothing was stored");
    sim.edit(id, serde_json::json!({"basic": {"username": "new@example.com"}, "updated_by": "jane"}));
    let (_, now) = sim.get(id);
    assert_eq!(
        (now["basic"]["username"].as_str(), now["updated_by"].as_str()),
        (Some("new@example.com"), Some("jane"))
    );
}
