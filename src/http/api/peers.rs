//! The peer comparison of a school, as JSON, CSV or XLSX.

use crate::http::api::body::Query;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::http::api::paging::{After, PageQuery, Paged};
use crate::http::export::{Cell, Format, Table, download};
use crate::state::AppState;
use crate::store::peers::{self, COMPARED, Compared, Comparison, Metrics};

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PeerQuery {
    /// compare only with schools of the same kind
    pub same_kind: Option<bool>,
    /// json (default), csv or xlsx
    #[param(schema_with = crate::app::schema::download_format)]
    pub format: Option<String>,
}

fn row(m: &Metrics, who: &str) -> Vec<Cell> {
    let mut cells = vec![
        Cell::from(m.school_id),
        Cell::from(m.name.clone()),
        Cell::from(m.name_zh.clone()),
        Cell::from(who),
        Cell::from(m.certified),
    ];
    cells.extend(
        COMPARED
            .iter()
            .map(|(metric, _)| Cell::from(m.value(metric))),
    );
    cells
}

/// The comparison as a table: the school, all its peers, then the school's percentiles.
pub fn table(comparison: &Compared) -> Table {
    let mut header = vec!["school_id", "name", "name_zh", "row", "certified"];
    header.extend(COMPARED.iter().map(|(m, _)| *m));
    let mut rows = vec![row(comparison.school(), "school")];
    rows.extend(comparison.peers().map(|p| row(p, "peer")));
    let mut percentiles = vec![
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::from("percentile"),
        Cell::Empty,
    ];
    percentiles.extend(COMPARED.iter().map(|(m, _)| {
        comparison
            .percentiles
            .get(m)
            .map_or(Cell::Empty, |p| Cell::from(i64::from(*p)))
    }));
    rows.push(percentiles);
    Table {
        header: header.into_iter().map(String::from).collect(),
        rows,
    }
}

/// A school against the other schools of its province, on recorded facts only: the
/// school's figures, percentiles and standards whole, its peers paged (`limit`, `cursor`;
/// `X-Total-Count` counts the peers)
#[utoipa::path(
    get, path = "/api/v1/schools/{id}/peer-comparison", tag = "peers", security(("bearer" = [])),
    params(("id" = i64, Path), PeerQuery, PageQuery),
    responses(
        (status = 200, body = Comparison, headers(
            ("X-Total-Count" = i64, description = "how many peers there are in all"),
            ("Link" = String, description = "`<…>; rel=\"next\"` while there are more peers")),
            description = "or a CSV / XLSX download of the school and every peer with `format`"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`school_closed`: the school was merged or closed and has left the comparison"),
        (status = 422, body = ErrorBody))
)]
pub async fn compare(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    query: Query<PeerQuery>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let format =
        Format::parse(query.format.as_deref()).map_err(|e| AppError::field("format", e))?;
    let start = page
        .paging
        .offset()
        .map_err(|e| AppError::field("cursor", e))?;
    let (id, today, same_kind, kept) = (
        id.into_inner(),
        state.clock.today(),
        query.same_kind.unwrap_or(false),
        state.kept.clone(),
    );
    let compared = user
        .run(move |conn, access| peers::compare(conn, access, &kept.peers, id, same_kind, today))
        .await?;
    if format != Format::Json {
        return download(&table(&compared), format, "peer-comparison");
    }
    let total = compared.peer_count() as i64;
    let limit = page.paging.limit;
    let comparison = compared.comparison(
        usize::try_from(start).unwrap_or(usize::MAX),
        usize::try_from(limit).unwrap_or(0),
    );
    let end = start.saturating_add(limit);
    let next = (end < total).then_some(After::Offset(end));
    Ok(page.respond_with(HttpResponse::Ok().json(comparison), total, next))
}
