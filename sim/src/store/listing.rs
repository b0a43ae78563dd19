//! Listings: the fields they may be sorted by, and a credential's fields as
//! the filter language reads them.

use oomnitza_api::filter::Field;
use serde_json::Value;

use super::ApiError;

/// `sortby=<field> asc|desc`.
pub struct SortBy {
    pub field: String,
    pub descending: bool,
}

/// The fields a listing may be sorted by.
pub const SORTABLE: &[&str] = &["id", "name", "owner", "auth_type", "saas", "created_at", "updated_at"];

impl SortBy {
    pub fn parse(s: &str) -> Result<SortBy, ApiError> {
        let mut words = s.split_whitespace();
        let field = words.next().unwrap_or_default();
        let descending = match words.next() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => return Err(ApiError::BadRequest(format!("sortby: {other:?} is not asc or desc"))),
        };
        if !SORTABLE.contains(&field) || words.next().is_some() {
            return Err(ApiError::BadRequest(format!(
                "sortby: {s:?} is not `<field> asc|desc` with a field of {}",
                SORTABLE.join(", ")
            )));
        }
        Ok(SortBy { field: field.to_string(), descending })
    }
}

/// A credential's field for the filter language; `oauth2.status` reaches in.
pub(super) fn field_of<'a>(j: &'a Value, path: &str) -> Option<Field<'a>> {
    let v = path.split('.').try_fold(j, |v, k| v.get(k))?;
    match v {
        Value::String(s) => Some(Field::Text(s)),
        Value::Number(n) => n.as_f64().map(Field::Number),
        Value::Bool(b) => Some(Field::Bool(*b)),
        _ => None,
    }
}

pub(super) fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(std::cmp::Ordering::Equal)
        }
        (Value::Null, Value::Null) => std::cmp::Ordering::Equal,
        (Value::Null, _) => std::cmp::Ordering::Less,
        (_, Value::Null) => std::cmp::Ordering::Greater,
        _ => std::cmp::Ordering::Equal,
    }
}
