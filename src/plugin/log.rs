//! Logs as Terraform's plugin host reads them: one JSON object a line on
//! stderr with `@level`, `@message`, `@module` and `@timestamp` (hclog's JSON
//! format). The host re-logs each line at its level, so `TF_LOG=debug` and
//! `TF_LOG_PROVIDER=trace` show them. With neither set, nothing is installed
//! and logging costs nothing.

use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

/// The level asked for by `TF_LOG_PROVIDER`, else `TF_LOG`.
pub fn level_from_env() -> Option<Level> {
    let raw = std::env::var("TF_LOG_PROVIDER").ok().or_else(|| std::env::var("TF_LOG").ok())?;
    match raw.trim().to_ascii_lowercase().as_str() {
        "trace" | "json" => Some(Level::TRACE),
        "debug" => Some(Level::DEBUG),
        "info" => Some(Level::INFO),
        "warn" => Some(Level::WARN),
        "error" => Some(Level::ERROR),
        _ => None,
    }
}

/// Installs the JSON-lines logger at `level`, if any.
pub fn init(level: Option<Level>) {
    let Some(level) = level else { return };
    use tracing_subscriber::filter::{LevelFilter, Targets};
    // Our own events at the level asked for; libraries (h2, hyper, rustls)
    // only from warnings up, so a trace log stays about the provider.
    let ours = LevelFilter::from_level(level);
    let filter = Targets::new()
        .with_target("oomnitza_provider", ours)
        .with_target("terraform_provider_oomnitza", ours)
        .with_default(ours.min(LevelFilter::WARN));
    let subscriber = tracing_subscriber::registry().with(HclogLayer).with(filter);
    let _ = tracing::subscriber::set_global_default(subscriber);
}

struct HclogLayer;

struct Fields {
    message: String,
    extra: serde_json::Map<String, serde_json::Value>,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut s = String::new();
        let _ = write!(s, "{value:?}");
        self.put(field, serde_json::Value::String(s));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, serde_json::Value::String(value.to_string()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }
}

impl Fields {
    fn put(&mut self, field: &Field, v: serde_json::Value) {
        if field.name() == "message" {
            self.message = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
        } else {
            self.extra.insert(field.name().to_string(), v);
        }
    }
}

fn level_name(l: &Level) -> &'static str {
    match *l {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

const TIMESTAMP: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields { message: String::new(), extra: serde_json::Map::new() };
        event.record(&mut fields);
        let meta = event.metadata();
        let mut line = fields.extra;
        line.insert("@level".into(), level_name(meta.level()).into());
        line.insert("@message".into(), fields.message.into());
        line.insert("@module".into(), "oomnitza".into());
        line.insert("@caller".into(), meta.target().into());
        let ts = time::OffsetDateTime::now_utc().format(TIMESTAMP).unwrap_or_default();
        line.insert("@timestamp".into(), ts.into());
        let mut out = serde_json::Value::Object(line).to_string();
        out.push('\n');
        let _ = std::io::stderr().lock().write_all(out.as_bytes());
    }
}
