//! The integration part of a plan such as Wenzhou's, in Fujian: a small county technical
//! school, short of every standard of conditions, merged into Fuzhou No.2 in 2025. Its
//! record stays readable under its successor's name; one title moved with its dates, one
//! kept as history. (The inventory of 2025 then shows Quanzhou's shortfalls.)

use time::macros::date;

use super::{Ctx, Schools, err, step};
use crate::app::schools::{MergeInput, SettleInput};
use crate::db::DbConn;
use crate::domain::SchoolKind;
use crate::domain::indicators::Indicators;
use crate::store::{schools, status_data, titles};

pub(super) fn merger(
    ctx: &Ctx,
    conn: &mut DbConn,
    fj: i64,
    schools: &Schools,
) -> anyhow::Result<()> {
    let (operator, now, today) = (&ctx.operator, ctx.now, ctx.today);
    step("a small Fujian school merged into Fuzhou No.2 in 2025, its record kept");
    let minhou = crate::app::write(conn, operator, |conn, journal| {
        schools::create(
            conn,
            journal,
            operator,
            &schools::NewSchool {
                province_id: fj,
                name: "Minhou County Technical School".into(),
                name_zh: Some("闽侯县技工学校".into()),
                city: "Fuzhou".into(),
                kind: SchoolKind::TechnicalSchool,
                founded_year: Some(1996),
            },
            now,
        )
    })
    .map_err(err)?;
    let small = Indicators {
        students: Some(380),
        teachers: Some(24),
        senior_appraisers: Some(2),
        campus_area_m2: Some(9_600),
        building_area_m2: Some(6_300),
        equipment_value_cny: Some(1_150_000),
        computers: Some(90),
        graduates: Some(120),
        training_person_times: Some(260),
    };
    crate::app::write(conn, operator, |conn, journal| {
        status_data::put_nine(conn, journal, operator, minhou.id, 2024, &small, now)?;
        status_data::lock(conn, journal, operator, minhou.id, 2024, None, now)
    })
    .map_err(err)?;
    let mut held = Vec::new();
    for (code, awarded) in [
        ("rural_labor_transfer_training_base", date!(2016 - 06 - 01)),
        (
            "provincial_demonstration_vocational_school",
            date!(2009 - 09 - 01),
        ),
    ] {
        let holding = crate::app::write(conn, operator, |conn, journal| {
            titles::award(
                conn,
                journal,
                operator,
                minhou.id,
                &titles::NewHolding {
                    title_type_code: code.into(),
                    awarded_on: awarded,
                    last_evaluated_on: None,
                },
                today,
                now,
            )
        })
        .map_err(err)?;
        held.push(holding.id);
    }
    let merge = MergeInput {
        into_school_id: schools.fz2.id,
        effective_on: "2025-09-01".into(),
        reason: "按照“小散弱”学校整合要求，并入福州第二高级技工学校（省厅 2025 年布局调整方案）"
            .into(),
    };
    crate::app::schools::merge(conn, operator, minhou.id, &merge, now).map_err(err)?;
    for (id, settlement) in held.into_iter().zip(["transferred", "kept"]) {
        let decided = SettleInput {
            settlement: settlement.into(),
        };
        crate::app::schools::settle_title(conn, operator, id, &decided, today, now).map_err(err)?;
    }
    Ok(())
}
