//! The provider's settings as users meet them outside the provider block:
//! the environment variables each setting falls back on, and which hosts
//! may be reached over plain http.

pub const ENV_URL: &str = "OOMNITZA_URL";
pub const ENV_API_TOKEN: &str = "OOMNITZA_API_TOKEN";
pub const ENV_USERNAME: &str = "OOMNITZA_USERNAME";
pub const ENV_PASSWORD: &str = "OOMNITZA_PASSWORD";
pub const ENV_CA_CERT_FILE: &str = "OOMNITZA_CA_CERT_FILE";
pub const ENV_EXPIRY_WARNING_DAYS: &str = "OOMNITZA_EXPIRY_WARNING_DAYS";

/// Loopback hosts may use plain http: the simulator, a local tunnel (the
/// provider's `url`, the credential check's `site`).
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
