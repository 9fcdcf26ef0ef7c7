//! The admin-token check shared by every admin route.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::app_state::AppState;
use crate::bearer::bearer_token;
use crate::error::ApiError;
use crate::routes::revocation_source::RevocationSource;

/// A caller holding some environment's admin token. Extracting it fails with 401; checking
/// it against the environment in the path ([`AdminAuth::authorize`]) fails with 403.
#[derive(Debug, Clone)]
pub struct AdminAuth {
    environment_id: String,
    /// Where the request says it came from.
    pub source: RevocationSource,
}

impl AdminAuth {
    /// The environment the token belongs to: the only one it may see anything of.
    pub fn environment_id(&self) -> &str {
        &self.environment_id
    }

    /// 403 unless the token belongs to `environment_id`. An unknown environment is also 403,
    /// so a token holder cannot probe which other environments exist.
    pub fn authorize(&self, environment_id: &str) -> Result<(), ApiError> {
        if self.environment_id == environment_id {
            Ok(())
        } else {
            Err(ApiError::Forbidden(environment_id.to_owned()))
        }
    }
}

impl FromRequestParts<Arc<AppState>> for AdminAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        let token = bearer_token(&parts.headers).ok_or(ApiError::AdminUnauthorized)?;
        let environment = state
            .environments
            .by_admin_token(token)
            .ok_or(ApiError::AdminUnauthorized)?;
        Ok(AdminAuth {
            environment_id: environment.id().to_owned(),
            source: RevocationSource::from_headers(&parts.headers),
        })
    }
}
