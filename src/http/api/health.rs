//! `GET /healthz`: is the server up, does the database answer, and has its storage room?

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::db;
use crate::domain::storage::Room;
use crate::http::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` when the service can serve requests
    pub status: &'static str,
    /// `ok` when a database round trip succeeded, `unavailable` when it did not,
    /// `damaged` when the last check of the SQLite file found damage
    pub database: &'static str,
    /// the data directory's free space: `ok`; `low` under 5 % or 1 GiB; `full` under one
    /// upload of the largest size (writes answer 507, and this answer is 503); `unknown`
    /// when it cannot be read
    pub storage: &'static str,
}

/// Liveness and database round trip
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses(
        (status = 200, description = "The server and its database answer", body = Health),
        (status = 503, description = "The database does not answer, its file is damaged, or the storage is full", body = Health)
    )
)]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let storage = storage_of(&state);
    let database = if state.integrity.is_damaged() {
        "damaged"
    } else {
        match state.db.run(db::ping).await {
            Ok(()) => "ok",
            Err(error) => {
                tracing::warn!(%error, "health check: database unavailable");
                "unavailable"
            }
        }
    };
    let serving = database == "ok" && storage != Room::Full.as_str();
    let health = Health {
        status: if serving { "ok" } else { "unavailable" },
        database,
        storage,
    };
    if serving {
        HttpResponse::Ok().json(health)
    } else {
        HttpResponse::ServiceUnavailable().json(health)
    }
}

/// The data directory's room, as the health check says it.
fn storage_of(state: &AppState) -> &'static str {
    let settings = &state.settings;
    match crate::disk::space(&settings.data_dir, settings.max_upload_bytes) {
        Ok(space) => space.room.as_str(),
        Err(error) => {
            tracing::warn!(%error, "health check: the data directory's free space is unknown");
            "unknown"
        }
    }
}
