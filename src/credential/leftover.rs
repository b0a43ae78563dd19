//! Credentials that an interrupted apply made and no state holds: named on
//! every plan and apply (once per provider process) until a person decides
//! (import it, delete it in Oomnitza) or a create of the same
//! configuration in the same directory adopts it. The provider itself never
//! deletes them: it cannot prove that no other state holds one.

use std::time::Duration;

use super::Kind;
use crate::framework::Diagnostics;
use crate::oomnitza::journal::Leftover;
use crate::oomnitza::Client;

/// How long the checks of the leftovers may take in all.
const LOOK_LIMIT: Duration = Duration::from_secs(30);

/// Names each create entry of this directory and workspace that no live
/// process holds; one whose credential is gone from Oomnitza is forgotten.
pub async fn name_leftovers(client: &Client, kinds: &[&Kind], diags: &mut Diagnostics) {
    let leftovers = client.journal().leftovers();
    if leftovers.is_empty() {
        return;
    }
    let deadline = tokio::time::Instant::now() + LOOK_LIMIT;
    for l in leftovers {
        let Some(id) = l.record.id.clone() else {
            let found = tokio::time::timeout_at(deadline, candidates(client, kinds, &l)).await.ok().flatten();
            unanswered(&l, found.as_ref(), diags);
            let found = found.map(|f| f.into_iter().map(|(id, _)| id).collect::<Vec<_>>());
            if l.record.key_expired() || found.as_ref().is_some_and(Vec::is_empty) {
                // Oomnitza no longer knows its key, or made nothing of that
                // name since: nothing is left to name after this once.
                client.journal().drop_leftover(&l.record.key);
            } else if let Some(ids) = found {
                client.journal().set_candidates(&l.record.key, ids);
            }
            continue;
        };
        match tokio::time::timeout_at(deadline, client.get(&id)).await {
            Ok(Ok(None)) => client.journal().drop_leftover(&l.record.key),
            Ok(Ok(Some(c))) => {
                let kind = kinds.iter().find(|k| (k.owns)(&c));
                named(&l, &id, &c.name, kind.map(|k| k.type_name), diags);
            }
            _ => named(&l, &id, l.record.name.as_deref().unwrap_or_default(), None, diags),
        }
    }
}

fn when(l: &Leftover) -> String {
    time::OffsetDateTime::from_unix_timestamp(l.record.started)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| "an unknown time".into())
}

/// A leftover whose credential Oomnitza holds.
fn named(l: &Leftover, id: &str, name: &str, type_name: Option<&str>, diags: &mut Diagnostics) {
    let t = type_name.unwrap_or("oomnitza_jira_credential");
    let manage = format!(
        "To manage it, add\n\n  import {{\n    to = {t}.NAME\n    id = \"{id}\"\n  }}\n\n(terraform query lists it with the other credentials no state manages, through a list \"{t}\" block). If nobody needs it, delete it in Oomnitza (Configuration > Security > Credentials). This warning repeats on every plan and apply until one of these happens."
    );
    let (summary, how) = if l.here {
        (
            format!("Credential {name:?} ({id}) is held by no Terraform state"),
            format!(
                "An apply in this directory and workspace asked Oomnitza to create it at {} and stopped before Terraform recorded it (a kill, a lost answer, a create_before_destroy replacement that failed). Its record is in .terraform/oomnitza-creates. An apply whose configuration creates the same credential here adopts it instead of making a second one; nothing else will ever manage or delete it.",
                when(l)
            ),
        )
    } else {
        (
            format!("Credential {name:?} ({id}) may be held by another working directory"),
            format!(
                "A record of an interrupted create of it (at {}) is in .terraform/oomnitza-creates, but it was written in another directory: this one is a copy (cp -r, or a restored cache of .terraform). That directory's state may hold the credential, so this provider neither adopts nor deletes it here. If you know this copy's record is stale, delete the file from .terraform/oomnitza-creates.",
                when(l)
            ),
        )
    };
    diags.warning_at(None, summary, format!("{how}\n\n{manage}"));
}

/// The credentials that an unanswered create may have made: of its name,
/// made since it began. Candidates, not proof: only the create's own key
/// proves one, and only an apply of the same configuration here asks.
async fn candidates(client: &Client, kinds: &[&Kind], l: &Leftover) -> Option<Vec<(String, &'static str)>> {
    let name = l.record.name.as_deref()?;
    let since = time::OffsetDateTime::from_unix_timestamp(l.record.started - 2).ok()?;
    let mut out = Vec::new();
    for k in kinds {
        for c in client.list_by_name(&(k.scope)(), name).await.ok()? {
            let made = time::OffsetDateTime::parse(&c.created_at, &time::format_description::well_known::Rfc3339);
            if made.is_ok_and(|t| t >= since) {
                out.push((c.id, k.type_name));
            }
        }
    }
    Some(out)
}

/// A leftover whose create was never answered: Oomnitza may or may not
/// have made it.
fn unanswered(l: &Leftover, candidates: Option<&Vec<(String, &'static str)>>, diags: &mut Diagnostics) {
    let name = l.record.name.as_deref().unwrap_or_default();
    let adopt = if l.here {
        "The next apply in this directory and workspace whose configuration creates the same credential asks Oomnitza about it (by the create's idempotency key) and adopts it instead of making a second one."
    } else {
        "Its record was written in another directory: this one is a copy (cp -r, or a restored cache of .terraform). The other directory's state may hold what it made, so it is never adopted here."
    };
    let found = match candidates {
        Some(ids) if ids.is_empty() => format!("Oomnitza holds no credential named {name:?} made since then, so it probably made none; this record is dropped now."),
        Some(ids) => format!(
            "Oomnitza holds {} named {name:?} made since then: {}. One may be it (or another apply's); once a state holds each of them (imported, or refreshed), this record is dropped.",
            if ids.len() == 1 { "a credential" } else { "credentials" },
            ids.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().join(", ")
        ),
        None => "Oomnitza could not be asked for credentials of that name.".to_string(),
    };
    // The import block for the first candidate, or a template.
    let (id, t) =
        candidates.and_then(|c| c.first()).map_or(("<id>", "oomnitza_jira_credential"), |(id, t)| (id.as_str(), *t));
    let expired = if l.record.key_expired() {
        " Oomnitza no longer knows the create's key, so this is the last time it is named."
    } else {
        ""
    };
    diags.warning_at(
        None,
        format!("An interrupted create of {name:?} may have made a credential"),
        format!(
            "An apply asked Oomnitza to create credential {name:?} at {} and stopped before the answer came (a kill, a lost answer, a create_before_destroy replacement that failed), so its id is not known. {found} {adopt} If no state manages it, import it (import {{ to = {t}.NAME  id = \"{id}\" }}; terraform query lists credentials no state manages) or delete it in Oomnitza. Its record is in .terraform/oomnitza-creates.{expired}",
            when(l)
        ),
    );
}
