//! Requests per second of the simulator and of the client against it, side
//! by side with a plain reqwest baseline in the same process.
//!
//!     cargo bench --bench client_throughput
//!
//! Prints, for GET (read) and POST (create): the baseline's req/s (plain
//! reqwest, one shared pool, same concurrency) = the simulator's rate, the
//! client's req/s, and client/baseline.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use oomnitza_provider::oomnitza::{Auth, BasicInput, Client, ClientConfig, NewCredential, Section};
use oomnitza_provider::secret::Secret;

const CONCURRENCY: usize = 16;
const N: usize = 4000;

fn new_cred(i: usize) -> NewCredential {
    NewCredential {
        name: format!("bench-{i}"),
        owner: None,
        description: None,
        saas: "jira".into(),
        expiration_date: None,
        section: Section::Basic(BasicInput { username: "a@example.com".into(), password: Secret::new("s") }),
    }
}

async fn run<F, Fut>(f: F) -> f64
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let f = Arc::new(f);
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for w in 0..CONCURRENCY {
        let f = f.clone();
        set.spawn(async move {
            let mut i = w;
            while i < N {
                f(i).await;
                i += CONCURRENCY;
            }
        });
    }
    while set.join_next().await.is_some() {}
    N as f64 / start.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "-q", "-p", "oomnitza-sim"])
        .current_dir(root)
        .status()
        .unwrap();
    assert!(status.success());
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| format!("{root}/target"));
    let mut sim = Command::new(format!("{target}/release/oomnitza-sim"))
        .args(["--listen", "127.0.0.1:0", "--token", "bench", "--quiet"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(sim.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().trim_start_matches("listening on ").to_string();

    let client =
        Arc::new(Client::new(ClientConfig::new(url.parse().unwrap(), Auth::Token(Secret::new("bench")))).unwrap());
    let seed = client.create(&new_cred(0)).await.unwrap().credential.id;
    let raw = reqwest::Client::new();

    let (u, s, r) = (url.clone(), seed.clone(), raw.clone());
    let base_get = run(move |_| {
        let (u, s, r) = (u.clone(), s.clone(), r.clone());
        async move {
            let resp = r
                .get(format!("{u}{}", oomnitza_api::routes::READ.for_id(&s)))
                .header("Authorization2", "bench")
                .send()
                .await
                .unwrap();
            assert!(resp.status().is_success());
            let _ = resp.bytes().await.unwrap();
        }
    })
    .await;
    let (c, s) = (client.clone(), seed.clone());
    let client_get = run(move |_| {
        let (c, s) = (c.clone(), s.clone());
        async move {
            c.get(&s).await.unwrap().unwrap();
        }
    })
    .await;
    let (u, r) = (url.clone(), raw.clone());
    let base_post = run(move |i| {
        let (u, r) = (u.clone(), r.clone());
        async move {
            let body = serde_json::to_value(new_cred(i)).unwrap();
            let resp = r
                .post(format!("{u}{}", oomnitza_api::routes::CREATE.path))
                .header("Authorization2", "bench")
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(resp.status().is_success());
            let _ = resp.bytes().await.unwrap();
        }
    })
    .await;
    let c = client.clone();
    let client_post = run(move |i| {
        let c = c.clone();
        async move {
            c.create(&new_cred(i)).await.unwrap();
        }
    })
    .await;
    let _ = sim.kill();
    let _ = sim.wait();
    println!("concurrency {CONCURRENCY}, {N} requests each, simulator release build on loopback");
    println!("GET  baseline (plain reqwest = simulator rate): {base_get:8.0} req/s");
    println!(
        "GET  oomnitza client:                           {client_get:8.0} req/s  ratio {:.2}",
        client_get / base_get
    );
    println!("POST baseline (plain reqwest = simulator rate): {base_post:8.0} req/s");
    println!(
        "POST oomnitza client (idempotency key):         {client_post:8.0} req/s  ratio {:.2}",
        client_post / base_post
    );
}
