//! What a person does on Atlassian's consent page, played over HTTP.

use std::time::Duration;

use serde_json::Value;

use super::*;

/// A person who waits for consent to open (for credential `id`, or the
/// first one), then accepts it on the consent page, picking `site`. Answers
/// the status of the page after the click (0 when consent never opened).
pub fn accept_when_open(sim: &Sim, id: Option<String>, site: &'static str) -> std::thread::JoinHandle<u16> {
    let (url, token) = (sim.url.clone(), sim.token.clone());
    std::thread::spawn(move || {
        block_on(async move {
            let http = reqwest::Client::new();
            // The consent URL of the credential now, if consent is open.
            let current = || async {
                let all: Value =
                    match http.get(format!("{url}/_sim/credentials")).header("Authorization2", &token).send().await {
                        Ok(r) => r.json().await.unwrap_or(Value::Null),
                        Err(_) => Value::Null,
                    };
                all.as_array()?.iter().find(|c| id.as_deref().is_none_or(|id| c["id"] == id))?["oauth2"]
                    ["authorization_url"]
                    .as_str()
                    .map(String::from)
            };
            for _ in 0..600 {
                if current().await.is_some() {
                    // Reading the page and deciding takes a person a moment;
                    // meanwhile a newer consent may replace the first one, so
                    // the click goes to the one open then. A stale link (400)
                    // means: look again.
                    tokio::time::sleep(Duration::from_millis(600)).await;
                    if let Some(u) = current().await {
                        let (status, _) = consent(&u, site, true);
                        if status == 200 {
                            return status;
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            0
        })
    })
}

/// What a person does on Atlassian's consent page: open the URL, pick a
/// site, click Accept or Deny. Answers the status and text of the last page.
pub fn consent(authorization_url: &str, site: &str, accept: bool) -> (u16, String) {
    let (url, site) = (authorization_url.to_string(), site.to_string());
    std::thread::spawn(move || {
        block_on(async move {
            let http = reqwest::Client::new();
            let page = http.get(&url).send().await.expect("open consent page");
            assert_eq!(page.status().as_u16(), 200, "consent page");
            let html = page.text().await.expect("consent page text");
            let action = attr_after(&html, "<form", "action").expect("a form on the consent page");
            let mut form: Vec<(String, String)> = hidden_inputs(&html);
            assert!(html.contains(&format!("value=\"{site}\"")), "site {site} offered on the consent page:\n{html}");
            form.push(("site".into(), site));
            form.push(("decision".into(), if accept { "accept" } else { "deny" }.into()));
            let base = reqwest::Url::parse(&url).expect("consent url");
            let resp =
                http.post(base.join(&action).expect("form action")).form(&form).send().await.expect("submit consent");
            (resp.status().as_u16(), resp.text().await.unwrap_or_default())
        })
    })
    .join()
    .expect("consent thread")
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// The value of `name="..."` in the first tag starting with `tag`.
fn attr_after(html: &str, tag: &str, name: &str) -> Option<String> {
    let start = html.find(tag)?;
    let end = start + html[start..].find('>')?;
    let t = &html[start..end];
    let key = format!("{name}=\"");
    let v = t.find(&key)? + key.len();
    Some(unescape(&t[v..v + t[v..].find('"')?]))
}

/// Every `<input type="hidden" name=... value=...>` of a page.
fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    html.match_indices("<input")
        .filter_map(|(i, _)| {
            let tag = &html[i..];
            if attr_after(tag, "<input", "type").as_deref() != Some("hidden") {
                return None;
            }
            Some((attr_after(tag, "<input", "name")?, attr_after(tag, "<input", "value")?))
        })
        .collect()
}

/// The query parameter `key` of a URL.
pub fn query_param(url: &str, key: &str) -> Option<String> {
    reqwest::Url::parse(url).ok()?.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}
