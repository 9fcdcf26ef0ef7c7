//! `?limit=&cursor=` for the admin list routes, so one response never carries every session
//! an environment ever had.
//!
//! A cursor is an opaque string from a previous response's `nextCursor`; the next page holds
//! the sessions created before the last one on the previous page. Sessions created meanwhile do
//! not shift the pages (they come before the first page), and evicted ones simply drop out.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::Deserialize;

use crate::error::ApiError;

/// Page size when the request gives no `limit`.
pub const DEFAULT_PAGE_SIZE: usize = 100;
/// Largest page; a larger `limit` is lowered to this.
pub const MAX_PAGE_SIZE: usize = 500;

/// Which page to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// At most this many items, 1..=[`MAX_PAGE_SIZE`].
    pub limit: usize,
    /// Only items strictly older than this position (from a cursor).
    pub before: Option<u64>,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            limit: DEFAULT_PAGE_SIZE,
            before: None,
        }
    }
}

/// One page of items, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Where the next page starts, when there is one.
    pub next: Option<u64>,
}

impl<T> Page<T> {
    /// The `nextCursor` value: a string, or `None` on the last page.
    pub fn next_cursor(&self) -> Option<String> {
        self.next.map(|position| position.to_string())
    }
}

#[derive(Debug, Deserialize)]
struct RawPageQuery {
    limit: Option<String>,
    cursor: Option<String>,
}

impl PageRequest {
    fn parse(raw: RawPageQuery) -> Result<Self, ApiError> {
        let limit = match raw.limit {
            None => DEFAULT_PAGE_SIZE,
            Some(text) => match text.trim().parse::<usize>() {
                Ok(0) | Err(_) => {
                    return Err(ApiError::BadQuery(format!(
                        "limit must be a whole number from 1 to {MAX_PAGE_SIZE}"
                    )))
                }
                Ok(limit) => limit.min(MAX_PAGE_SIZE),
            },
        };
        let before = match raw.cursor {
            None => None,
            Some(text) if text.is_empty() => None,
            Some(text) => Some(text.parse::<u64>().map_err(|_| {
                ApiError::BadQuery("cursor must be a nextCursor value from an earlier page".into())
            })?),
        };
        Ok(Self { limit, before })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageRequest {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let Query(raw) = Query::<RawPageQuery>::try_from_uri(&parts.uri)
            .map_err(|rejection| ApiError::BadQuery(rejection.body_text()))?;
        PageRequest::parse(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(limit: Option<&str>, cursor: Option<&str>) -> Result<PageRequest, ApiError> {
        PageRequest::parse(RawPageQuery {
            limit: limit.map(str::to_owned),
            cursor: cursor.map(str::to_owned),
        })
    }

    #[test]
    fn defaults_clamps_and_cursors() {
        assert_eq!(parse(None, None).unwrap(), PageRequest::default());
        assert_eq!(parse(Some("7"), None).unwrap().limit, 7);
        assert_eq!(parse(Some("100000"), None).unwrap().limit, MAX_PAGE_SIZE);
        assert_eq!(parse(None, Some("42")).unwrap().before, Some(42));
        assert_eq!(parse(None, Some("")).unwrap().before, None);
    }

    #[test]
    fn rejects_nonsense() {
        for (limit, cursor) in [
            (Some("0"), None),
            (Some("-1"), None),
            (Some("ten"), None),
            (None, Some("abc")),
        ] {
            assert!(matches!(parse(limit, cursor), Err(ApiError::BadQuery(_))));
        }
    }
}
