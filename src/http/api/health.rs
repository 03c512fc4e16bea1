//! `GET /healthz`: is the server up, and does the database answer?

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::db;
use crate::http::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` when the service can serve requests
    pub status: &'static str,
    /// `ok` when a database round trip succeeded, `unavailable` when it did not,
    /// `damaged` when the last check of the SQLite file found damage
    pub database: &'static str,
}

/// Liveness and database round trip
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses(
        (status = 200, description = "The server and its database answer", body = Health),
        (status = 503, description = "The database does not answer, or its file is damaged", body = Health)
    )
)]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    if state.integrity.is_damaged() {
        return HttpResponse::ServiceUnavailable().json(Health {
            status: "unavailable",
            database: "damaged",
        });
    }
    match state.db.run(db::ping).await {
        Ok(()) => HttpResponse::Ok().json(Health {
            status: "ok",
            database: "ok",
        }),
        Err(error) => {
            tracing::warn!(%error, "health check: database unavailable");
            HttpResponse::ServiceUnavailable().json(Health {
                status: "unavailable",
                database: "unavailable",
            })
        }
    }
}
