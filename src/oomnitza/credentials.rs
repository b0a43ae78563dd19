//! The credential endpoints: create (never twice), read, list, change,
//! authorize, request authentication and delete.

use oomnitza_api::routes;
use oomnitza_api::Filter;
use tracing::{debug, warn};

use super::{
    journal, ApiError, Authorization, Cause, Client, Created, Credential, NewCredential, OutgoingRequest, RequestAuth,
    PAGE,
};

/// A digest of what a create makes, everything but its secret: how the
/// journal recognises an earlier create of the same resource. Whatever
/// kind's section it has, its secrets serialize as null here and are left
/// out (no other field of a create is ever null: unset ones are skipped).
fn content_digest(new: &NewCredential) -> String {
    use sha2::Digest as _;
    let mut v = crate::secret::without_secrets(|| serde_json::to_value(new).unwrap_or_default());
    if let Some(top) = v.as_object_mut() {
        for section in top.values_mut().filter_map(|s| s.as_object_mut()) {
            section.retain(|_, field| !field.is_null());
        }
    }
    // The same bytes as serde_json writes them; into memory, which cannot fail.
    let digest = sha2::Sha256::digest(serde_json::to_vec(&v).unwrap_or_default());
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    format!("{:032x}", u128::from_be_bytes(first))
}

/// An error after which the create surely made nothing: its journal entry
/// can go. After any other (a timeout, a broken connection, a 5xx) the
/// credential may exist, and the entry stays for the next create to resolve.
fn surely_not_made(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Unauthorized { .. }
            | ApiError::Forbidden { .. }
            | ApiError::NotFound { .. }
            | ApiError::Conflict { .. }
            | ApiError::Validation { .. }
            | ApiError::RateLimited { .. }
    ) || matches!(e, ApiError::Unreachable { cause, .. } if !matches!(cause, Cause::TimedOut | Cause::Connection))
}

impl Client {
    /// Creates a credential. It never makes two however the network
    /// behaves (its own `Idempotency-Key`, reused by its retries only), and
    /// takes over an existing credential only when this working directory's
    /// journal proves that an earlier create of the same content made it and
    /// died before Terraform heard of it ([`Created::adopted`]).
    pub async fn create(&self, new: &NewCredential) -> Result<Created, ApiError> {
        let content = content_digest(new);
        while let Some(mut entry) = self.journal.resume(&content) {
            // Dropped on error: the entry stays for the next create.
            let resumed = self.resume(new, &entry).await?;
            match resumed {
                Some(credential) => {
                    entry.record_id(&credential.id);
                    self.hold(&credential.id);
                    // Adopted either way: made now or then, it may hold a
                    // secret of the configuration before the kill, so the
                    // caller makes it what the plan says, secret included.
                    return Ok(Created { credential, adopted: true, entry });
                }
                None => entry.finish(),
            }
        }
        let mut entry = self.journal.begin(&content, &new.name);
        match self.create_with_key(new, &entry.record.key).await {
            Ok(credential) => {
                entry.record_id(&credential.id);
                self.hold(&credential.id);
                Ok(Created { credential, adopted: false, entry })
            }
            Err(e) => {
                if surely_not_made(&e) {
                    entry.finish();
                }
                Err(e)
            }
        }
    }

    /// The credential an interrupted create left, or `None` when it is
    /// gone or can no longer be found. Resumed through the create's key,
    /// Oomnitza answers what that create made, or makes it now: which of
    /// the two cannot be told apart (clocks differ), and either way it is
    /// this configuration's, made what the plan says, secret included.
    async fn resume(&self, new: &NewCredential, entry: &journal::Entry) -> Result<Option<Credential>, ApiError> {
        if let Some(id) = &entry.record.id {
            return self.get(id).await;
        }
        if entry.record.key_expired() {
            warn!(key = %entry.record.key, "an interrupted create is older than Oomnitza keeps its key; creating anew");
            return Ok(None);
        }
        self.create_with_key(new, &entry.record.key).await.map(Some)
    }

    /// Notes that this process made or adopted credential `id`: a state
    /// of this command will hold it.
    fn hold(&self, id: &str) {
        if let Ok(mut m) = self.held.lock() {
            m.insert(id.to_string());
        }
    }

    /// Notes that a state holds credential `id` (a read, a plan or an
    /// import met it), and forgets any create entry that named it as an
    /// orphan.
    pub fn held_by_state(&self, id: &str) {
        self.hold(id);
        self.journal.retire(id);
    }

    /// Whether this process has met credential `id` as a state's.
    pub fn holds(&self, id: &str) -> bool {
        self.held.lock().map(|m| m.contains(id)).unwrap_or(false)
    }

    /// Every credential of `kind` (all pages), listed once per process
    /// however many plans ask: what names a plan's creates would repeat.
    pub async fn all_of(&self, kind: &Filter) -> Result<std::sync::Arc<Vec<Credential>>, ApiError> {
        let cell = match self.listed.lock() {
            Ok(mut m) => m.entry(kind.to_string()).or_default().clone(),
            Err(_) => Default::default(),
        };
        cell.get_or_init(|| async { self.list_all(kind.clone()).await.map(std::sync::Arc::new) }).await.clone()
    }

    /// Every credential that passes `filter`, all pages.
    async fn list_all(&self, filter: Filter) -> Result<Vec<Credential>, ApiError> {
        let (mut out, mut skip) = (Vec::new(), 0);
        loop {
            let page = self.list_page(filter.clone(), skip, PAGE).await?;
            let n = page.len();
            skip += n;
            out.extend(page);
            if n < PAGE {
                return Ok(out);
            }
        }
    }

    async fn create_with_key(&self, new: &NewCredential, key: &str) -> Result<Credential, ApiError> {
        let body = serde_json::to_value(new).map_err(|e| ApiError::Decode(e.to_string()))?;
        self.retried(&routes::CREATE, "", &[], Some(&body), Some(key)).await
    }

    /// The credential with this id; `None` when it is gone.
    pub async fn get(&self, id: &str) -> Result<Option<Credential>, ApiError> {
        match self.idempotent::<Credential>(&routes::READ, id, &[], None).await {
            Ok(c) => same_credential(id, c, "asked for").map(Some),
            Err(ApiError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every credential of `kind` (a filter, such as the SaaS) with exactly
    /// this name.
    pub async fn list_by_name(&self, kind: &Filter, name: &str) -> Result<Vec<Credential>, ApiError> {
        let mut found = self.list_all(kind.clone().and(Filter::new().eq("name", name))).await?;
        found.retain(|c| c.name == name);
        Ok(found)
    }

    /// One page of the credentials that pass `filter` (which names the
    /// kind: a SaaS, an auth type), oldest first (so that credentials made
    /// meanwhile come after the pages read): `limit` from `skip` on.
    pub async fn list_page(&self, filter: Filter, skip: usize, limit: usize) -> Result<Vec<Credential>, ApiError> {
        // No filter at all is left out: an empty one is not a filter.
        let filter = (!filter.is_empty()).then(|| ("filter", filter.to_string()));
        let rest = [("sortby", routes::SORT_BY.to_string()), ("limit", limit.to_string()), ("skip", skip.to_string())];
        let query: Vec<(&str, String)> = filter.into_iter().chain(rest).collect();
        debug!(skip, limit, "listing credentials page");
        self.idempotent(&routes::LIST, "", &query, None).await
    }

    /// Changes the fields set in `patch`. Sending the same patch twice has
    /// the same effect as once, so it is retried.
    pub async fn update(&self, id: &str, patch: &impl serde::Serialize) -> Result<Credential, ApiError> {
        let body = serde_json::to_value(patch).map_err(|e| ApiError::Decode(e.to_string()))?;
        let c = self.idempotent(&routes::UPDATE, id, &[], Some(&body)).await?;
        same_credential(id, c, "changed")
    }

    /// Starts (or restarts) OAuth consent; answers the new consent URL.
    /// Repeating it only opens a newer consent, so it is retried.
    pub async fn authorize(&self, id: &str) -> Result<Authorization, ApiError> {
        self.idempotent(&routes::AUTHORIZE, id, &[], None).await
    }

    /// The authentication Oomnitza adds to one request to the connected
    /// system (`POST /api/v3/auth/{id}/secret`). It changes nothing, so it
    /// is retried; its answer is secret material, for that request only.
    pub async fn request_auth(&self, id: &str, request: &OutgoingRequest) -> Result<RequestAuth, ApiError> {
        let body = serde_json::to_value(request).map_err(|e| ApiError::Decode(e.to_string()))?;
        self.idempotent(&routes::SECRET, id, &[], Some(&body)).await
    }

    /// Deletes the credential; one already gone counts as deleted.
    pub async fn delete(&self, id: &str) -> Result<(), ApiError> {
        match self.idempotent::<serde_json::Value>(&routes::DELETE, id, &[], None).await {
            Ok(_) | Err(ApiError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// An answer about credential `id` (after we `did` something to it) must
/// be about that credential and no other.
fn same_credential(id: &str, c: Credential, did: &str) -> Result<Credential, ApiError> {
    if c.id == id {
        Ok(c)
    } else {
        Err(ApiError::Decode(format!("{did} credential {id}, Oomnitza answered {}", c.id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oomnitza::http::path_segment;
    use crate::oomnitza::model::{ApiKeyInput, BasicInput, NewCredential, Section};
    use crate::secret::Secret;

    /// An opaque id is one path segment, whatever it holds.
    #[test]
    fn ids_are_encoded_as_one_segment() {
        assert_eq!(path_segment("qwertyuio1234567890"), "qwertyuio1234567890");
        assert_eq!(path_segment("a/b?c d+é"), "a%2Fb%3Fc%20d%2B%C3%A9");
        assert_eq!(path_segment("-._~"), "-._~");
    }

    /// The journal recognises a create by its content without the secret.
    #[test]
    fn content_digest_ignores_the_secret() {
        let new = |name: &str, secret: &str| NewCredential {
            name: name.into(),
            owner: None,
            description: Some("d".into()),
            saas: "jira".into(),
            section: Section::Basic(BasicInput { username: "svc@example.com".into(), password: Secret::new(secret) }),
            expiration_date: None,
        };
        let d = content_digest(&new("Jira user load", "one"));
        assert_eq!(d, content_digest(&new("Jira user load", "two")), "the secret is not part of it");
        assert_ne!(d, content_digest(&new("Jira user load 2", "one")), "the content is");
        assert_eq!(d.len(), 32);
        // The digest an earlier version wrote for this create (secret keys
        // removed by name): a journal it left is still recognised.
        assert_eq!(d, "dc702caec47ff43041f382415f68bdaa");
        let key = |token: &str| NewCredential {
            section: Section::ApiKey(ApiKeyInput {
                token_name: "X-API-Key".into(),
                token: Secret::new(token),
                add_to: "header".into(),
            }),
            ..new("Okta", "unused")
        };
        assert_eq!(content_digest(&key("one")), content_digest(&key("two")), "nor the API key's token");
    }
}
