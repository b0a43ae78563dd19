//! The simulator's command line: its flags, `--help`, and their parsing.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Command-line settings.
#[derive(Clone, Debug, Default)]
pub struct Args {
    pub listen: Option<SocketAddr>,
    pub token: String,
    pub read_only_token: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub data: Option<PathBuf>,
    /// Atlassian apps (client id, secret) whose secret is checked.
    pub atlassian_apps: Vec<(String, String)>,
    /// Serve HTTPS, writing the CA's PEM here.
    pub tls_cert_out: Option<PathBuf>,
    pub quiet: bool,
}

const USAGE: &str = "usage: oomnitza-sim --listen 127.0.0.1:0 --token TOKEN [--read-only-token TOKEN] [--username U --password P] [--data FILE] [--atlassian-app CLIENT_ID=SECRET]... [--tls-cert-out FILE] [--quiet]";

pub fn parse_args() -> Result<Args, String> {
    let mut a = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--listen" => a.listen = Some(val()?.parse().map_err(|e| format!("--listen: {e}"))?),
            "--token" => a.token = val()?,
            "--read-only-token" => a.read_only_token = Some(val()?),
            "--username" => a.username = Some(val()?),
            "--password" => a.password = Some(val()?),
            "--data" => a.data = Some(PathBuf::from(val()?)),
            "--atlassian-app" => {
                let v = val()?;
                let (id, secret) = v.split_once('=').ok_or("--atlassian-app takes CLIENT_ID=SECRET")?;
                a.atlassian_apps.push((id.to_string(), secret.to_string()));
            }
            "--tls-cert-out" => a.tls_cert_out = Some(PathBuf::from(val()?)),
            "--quiet" => a.quiet = true,
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if a.token.is_empty() {
        return Err(format!("--token is required\n{USAGE}"));
    }
    Ok(a)
}

/// What `--help` prints: every flag, one line each (docs/simulator.md says
/// more, and a test keeps the two in step).
pub const HELP: &str = "oomnitza-sim: a local stand-in for Oomnitza's credentials API, its OAuth proxy and Atlassian

usage: oomnitza-sim --listen 127.0.0.1:0 --token TOKEN [flags]

  --listen ADDR                 where to listen (port 0: a free one); the first stdout line says where
  --token TOKEN                 the API token (Authorization2) for /api and /_sim; required
  --read-only-token TOKEN       a token whose role may read but not write credentials (403 on writes)
  --username U --password P     the login that POST /api/request_token exchanges for TOKEN
  --data FILE                   keep credentials (and idempotency keys) in FILE across restarts
  --atlassian-app ID=SECRET     an Atlassian OAuth app the consent page knows; repeatable
  --tls-cert-out FILE           serve https with a fresh self-signed CA, written to FILE (PEM)
  --quiet                       no access log on stderr
  --help                        this text";
