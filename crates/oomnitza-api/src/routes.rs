//! The routes the provider calls, in one table: re-pointing the provider at
//! other routes means editing this file only. The simulator serves the same
//! table, and `oomnitza-docs --check-swagger` compares it with an instance's
//! Swagger document.

/// How sure we are that a real Oomnitza has a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Called by Oomnitza's own public connector (`Oomnitza/oomnitza-connector`,
    /// `connectors/oomnitza.py`, release 2026.08.1).
    Connector,
    /// The listing style (`filter`, `limit`, `skip`, `sortby`) is the
    /// connector's; that this collection answers it is our model.
    ConnectorStyle,
    /// Our model of a route Oomnitza does not publish.
    Modelled,
}

impl Source {
    pub fn describe(self) -> &'static str {
        match self {
            Source::Connector => "seen in Oomnitza's connector (connectors/oomnitza.py)",
            Source::ConnectorStyle => "listing style seen in Oomnitza's connector; this collection modelled",
            Source::Modelled => "modelled",
        }
    }
}

/// One route: its method, its path (`{id}` stands for a credential id), and
/// the fields of its JSON body or the parameters of its query that the
/// provider sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub source: Source,
    /// What the provider uses it for, in a few words.
    pub purpose: &'static str,
    /// Body fields (POST/PATCH) or query parameters (GET) the provider sends.
    pub sends: &'static [&'static str],
}

impl Route {
    /// The path for one credential, its id already percent-encoded as one
    /// path segment.
    pub fn for_id(&self, encoded_id: &str) -> String {
        self.path.replacen("{id}", encoded_id, 1)
    }

    /// `METHOD /path`, as people read it.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// The body fields of a credential that the provider writes.
const CREDENTIAL_FIELDS: &[&str] =
    &["name", "owner", "description", "saas", "auth_type", "basic", "oauth2", "api_key", "expiration_date"];

/// Form-encoded `login` and `password`, answered `{"token": ...}`.
pub const REQUEST_TOKEN: Route = Route {
    method: "POST",
    path: "/api/request_token",
    source: Source::Connector,
    purpose: "sign in with username and password (form fields), for a token",
    sends: &["login", "password"],
};

/// A cheap request that proves the URL is Oomnitza and the token is accepted.
pub const TOKEN_CHECK: Route = Route {
    method: "GET",
    path: "/api/v2/mappings",
    source: Source::Connector,
    purpose: "check the url and the token (once per provider process, at the first plan of a create)",
    sends: &["name"],
};

pub const CREATE: Route = Route {
    method: "POST",
    path: "/api/v3/auth",
    source: Source::Modelled,
    purpose: "create a credential (with an Idempotency-Key header)",
    sends: CREDENTIAL_FIELDS,
};

pub const LIST: Route = Route {
    method: "GET",
    path: "/api/v3/auth",
    source: Source::ConnectorStyle,
    purpose:
        "find credentials by name (same-name warning, data source by name) and page through them (terraform query)",
    sends: &["filter", "limit", "skip", "sortby"],
};

pub const READ: Route = Route {
    method: "GET",
    path: "/api/v3/auth/{id}",
    source: Source::Connector,
    purpose: "read a credential (refresh, import, data source by id)",
    sends: &[],
};

pub const UPDATE: Route = Route {
    method: "PATCH",
    path: "/api/v3/auth/{id}",
    source: Source::Modelled,
    purpose: "change a credential in place; only the fields sent change",
    sends: CREDENTIAL_FIELDS,
};

pub const DELETE: Route = Route {
    method: "DELETE",
    path: "/api/v3/auth/{id}",
    source: Source::Modelled,
    purpose: "delete a credential (404 counts as deleted)",
    sends: &[],
};

pub const AUTHORIZE: Route = Route {
    method: "POST",
    path: "/api/v3/auth/{id}/authorize",
    source: Source::Modelled,
    purpose: "start or restart OAuth consent; answers the consent URL",
    sends: &[],
};

/// Answers `{"headers", "params", "certificates", "url_attributes",
/// "body_attributes"}`: the authentication Oomnitza adds to the request
/// described in the body, so that the caller never holds the secret.
pub const SECRET: Route = Route {
    method: "POST",
    path: "/api/v3/auth/{id}/secret",
    source: Source::Connector,
    purpose: "authenticate one request to Jira (oomnitza_jira_credential_check)",
    sends: &["url", "http_method", "params", "headers", "body"],
};

/// Every route the provider calls.
pub const ALL: &[Route] = &[REQUEST_TOKEN, TOKEN_CHECK, CREATE, LIST, READ, UPDATE, DELETE, AUTHORIZE, SECRET];

/// The field and direction the provider sorts listings by, so that paging
/// stays stable while credentials are added: new ones come last.
pub const SORT_BY: &str = "created_at asc";

/// The query of [`TOKEN_CHECK`].
pub const TOKEN_CHECK_QUERY: (&str, &str) = ("name", "AuthTest");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_route_per_method_and_path() {
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert!(a.label() != b.label(), "{} is in the table twice", a.label());
            }
        }
    }

    #[test]
    fn for_id_fills_the_segment() {
        assert_eq!(AUTHORIZE.for_id("qwertyuio1234567890"), "/api/v3/auth/qwertyuio1234567890/authorize");
        assert_eq!(CREATE.for_id("x"), "/api/v3/auth");
    }
}
