//! The peer comparison page: where the school stands in its province, figure by figure,
//! with a chart for each, the minimum standards, and what is due next.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::charts::strip;
use super::page::Page;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::peers::{self, COMPARED};

#[derive(Deserialize)]
pub struct PeerQuery {
    same_kind: Option<String>,
}

pub async fn page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    query: web::Query<PeerQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, today, kept) = (id.into_inner(), state.clock.today(), state.kept.clone());
    let same_kind = query
        .same_kind
        .as_deref()
        .is_some_and(|v| v == "1" || v == "true");
    let (me, (comparison, school, due)) = user
        .load(move |conn, access| {
            // Read once: under a consulting grant every read is a history entry.
            let school = crate::store::schools::get(conn, access, id)?;
            let comparison = peers::compare_school(conn, &kept.peers, &school, same_kind, today)?;
            let soon = crate::store::deadlines::Due {
                today,
                within_days: Some(180),
                school: Some(id),
            };
            let due = crate::store::deadlines::first(conn, access, soon, 5)?;
            Ok((comparison, school, due))
        })
        .await?;
    let rows: Vec<serde_json::Value> = COMPARED
        .iter()
        .map(|(metric, higher_is_better)| {
            let own = comparison.school().value(metric);
            let values = comparison.peer_values(metric);
            serde_json::json!({
                "metric": metric,
                "value": own,
                "percentile": comparison.percentiles.get(metric),
                "higher_is_better": higher_is_better,
                "peers_with_figure": values.len(),
                "chart": strip(
                    crate::i18n::t(page.lang, &format!("metric_{metric}")),
                    own,
                    &values,
                ),
            })
        })
        .collect();
    let mut context = page.context(Some(&me));
    context.insert("school", &school);
    // The page shows the figures, the standards and how many peers there are: not the
    // peers themselves (the CSV and the API carry them), so they are not serialised here.
    context.insert("peer_count", &comparison.peer_count());
    context.insert("standards", comparison.standards());
    context.insert("figures", &rows);
    context.insert("same_kind", &same_kind);
    context.insert("due", &due);
    page.ok(&state, "pages/peers.html", &context)
}
