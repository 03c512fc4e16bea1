//! The pages of a province's integration plan: the inventory against the national minimum
//! standards (with its filters and its XLSX), and the forms on a school's page that merge it,
//! close it, call a closure off and settle its titles. Every rule is the use case's
//! (`app::schools`, `app::standards_check`).

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::page::Page;
use super::records::{Fields, Form, outcome, school_again};
use crate::app::schools::{self as use_case, CloseInput, MergeInput, SettleInput};
use crate::app::standards_check::{self, CheckFilter};
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::provinces;

#[derive(Deserialize)]
pub struct CheckQuery {
    year: Option<String>,
    city: Option<String>,
    kind: Option<String>,
    below: Option<String>,
    met: Option<String>,
}

impl CheckQuery {
    /// The year asked (blank: the use case's default), the filter, validated.
    fn read(&self, today: time::Date) -> Result<(i32, CheckFilter), AppError> {
        let year = match self.year.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(raw.parse::<i64>().unwrap_or(0)),
        };
        let year = standards_check::year_of(year, today)?;
        let filter = CheckFilter::parse(
            self.city.as_deref(),
            self.kind.as_deref(),
            self.below.as_deref(),
            self.met.as_deref(),
        )?;
        Ok((year, filter))
    }
}

/// The bureau's inventory page: every school still running against the standards.
pub async fn inventory_page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    query: web::Query<CheckQuery>,
) -> Result<HttpResponse, AppError> {
    let province_id = id.into_inner();
    let (year, filter) = query.read(state.clock.today())?;
    let kept = state.kept.clone();
    let asked = filter.clone();
    let (me, (inventory, province)) = user
        .load(move |conn, access| {
            let inventory =
                standards_check::of_province(conn, access, &kept, province_id, year, &asked)?;
            Ok((inventory, provinces::get(conn, province_id)?))
        })
        .await?;
    let mut context = page.context(Some(&me));
    context.insert("province", &province);
    context.insert("year", &year);
    context.insert("checks", &inventory.rows);
    context.insert(
        "check_counts",
        &serde_json::json!({"schools": inventory.schools, "accepted": inventory.accepted, "met": inventory.met}),
    );
    context.insert("short_of", &inventory.short_of);
    context.insert("cities", &inventory.cities);
    context.insert("codes", &standards_check::standard_codes());
    context.insert("kinds", crate::domain::SchoolKind::ALL);
    context.insert("filter_city", &filter.city.unwrap_or_default());
    context.insert(
        "filter_kind",
        &filter.kind.map(|k| k.as_str()).unwrap_or(""),
    );
    context.insert("filter_below", filter.below.unwrap_or(""));
    context.insert(
        "filter_met",
        match filter.met {
            Some(true) => "true",
            Some(false) => "false",
            None => "",
        },
    );
    context.insert("query", &query_string(&query));
    page.ok(&state, "pages/standards_check.html", &context)
}

/// The filters as they were asked, for the download link (escaped by the template).
fn query_string(query: &CheckQuery) -> String {
    let pairs = [
        ("year", &query.year),
        ("city", &query.city),
        ("kind", &query.kind),
        ("below", &query.below),
        ("met", &query.met),
    ];
    let mut out = String::new();
    for (name, value) in pairs {
        if let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(name);
            out.push('=');
            out.push_str(&crate::templates::percent_encode(value));
        }
    }
    out
}

/// The inventory as filtered, as one XLSX sheet.
pub async fn inventory_download(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    query: web::Query<CheckQuery>,
) -> Result<HttpResponse, AppError> {
    let province_id = id.into_inner();
    let (year, filter) = query.read(state.clock.today())?;
    let kept = state.kept.clone();
    let inventory = user
        .run(move |conn, access| {
            standards_check::of_province(conn, access, &kept, province_id, year, &filter)
        })
        .await?;
    crate::http::documents::standards_check_download(&inventory)
}

/// The province merges the school into another.
pub async fn merge(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let fields = Fields(form.into_inner());
    let school_id = id.into_inner();
    let input = MergeInput {
        // Not a number: no such school, which the use case names.
        into_school_id: fields.text("into_school_id").trim().parse().unwrap_or(0),
        effective_on: fields.text("effective_on"),
        reason: fields.text("reason"),
    };
    let result = user
        .run(move |conn, access| use_case::merge(conn, access, school_id, &input, now_utc()))
        .await;
    outcome(
        result,
        async |errors| {
            school_again(&state, &page, &user, school_id, "merge", &fields, errors).await
        },
        |_| format!("/schools/{school_id}?done=saved#standing"),
    )
    .await
}

/// The province marks the school for closure.
pub async fn close(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let fields = Fields(form.into_inner());
    let school_id = id.into_inner();
    let input = CloseInput {
        effective_on: fields.text("effective_on"),
        reason: fields.text("reason"),
    };
    let result = user
        .run(move |conn, access| use_case::close(conn, access, school_id, &input, now_utc()))
        .await;
    outcome(
        result,
        async |errors| {
            school_again(&state, &page, &user, school_id, "close", &fields, errors).await
        },
        |_| format!("/schools/{school_id}?done=saved#standing"),
    )
    .await
}

/// The province calls a closure off before its date.
pub async fn reopen(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let fields = Fields(form.into_inner());
    let school_id = id.into_inner();
    let result = user
        .run(move |conn, access| use_case::reopen(conn, access, school_id, access.today, now_utc()))
        .await;
    outcome(
        result,
        async |errors| {
            school_again(&state, &page, &user, school_id, "reopen", &fields, errors).await
        },
        |_| format!("/schools/{school_id}?done=saved#standing"),
    )
    .await
}

/// The province settles one title of a merged or closed school.
pub async fn settle_title(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let fields = Fields(form.into_inner());
    let title_id = id.into_inner();
    let input = SettleInput {
        settlement: fields.text("settlement"),
    };
    let today = state.clock.today();
    // One trip: the title's school (where the page returns), then the decision.
    let (school_id, result) = user
        .run(move |conn, access| {
            let school_id =
                crate::store::titles::get_holding_scoped(conn, access, title_id, today)?.school_id;
            let settled = use_case::settle_title(conn, access, title_id, &input, today, now_utc());
            Ok((school_id, settled))
        })
        .await?;
    outcome(
        result,
        async |errors| {
            school_again(&state, &page, &user, school_id, "settle", &fields, errors).await
        },
        |_| format!("/schools/{school_id}?done=saved#titles"),
    )
    .await
}
