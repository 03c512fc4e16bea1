//! The demonstration's evaluations with the province: Quanzhou's application with its panel
//! half-way through scoring, and Xiamen's agreed, recommended and on an open public notice
//! with one objection. Everything goes through the use cases, so it is all in the history.

use super::{Ctx, Desk, People, Schools, err, step};
use crate::app::panels::{ConsensusInput, PanelInput, ScoreInput};
use crate::config::Settings;
use crate::db::{Db, DbConn};
use crate::domain::access::Access;
use crate::domain::panel;
use crate::domain::standard::Points;
use crate::domain::workflow::{Action, ReviewDecision, SubmissionKind};
use crate::domain::{EmailAddress, PersonName, Role};
use crate::store::evaluations::Evaluation;
use crate::store::{submissions, users};

/// An expert as the use cases see them: with the panels they sit on.
fn expert(conn: &mut DbConn, id: i64, today: time::Date) -> anyhow::Result<Access> {
    let user = users::find(conn, id)
        .map_err(err)?
        .ok_or_else(|| anyhow::anyhow!("no expert {id}"))?;
    Ok(Access {
        panels: crate::store::panels::memberships(conn, id).map_err(err)?,
        ..user.access(today)
    })
}

/// Prepares an application for the National Key Technical School, assesses every item
/// (a little short of full points here and there, with the reason) and hands it in.
fn apply(
    ctx: &Ctx,
    conn: &mut DbConn,
    desk: &Desk<'_>,
    title: &str,
) -> anyhow::Result<(i64, Evaluation)> {
    let id = desk.prepare(
        conn,
        SubmissionKind::TitleApplication,
        title,
        submissions::Subject {
            title_type_code: Some("national_key_technical_school".into()),
            ..Default::default()
        },
    )?;
    desk.evidence(conn, id, "self-evaluation-report.pdf")?;
    let evaluation = crate::app::evaluations::get(conn, desk.officer, id).map_err(err)?;
    for (n, c) in evaluation
        .criteria
        .iter()
        .filter(|c| c.criterion.leaf)
        .enumerate()
    {
        let input = if c.criterion.veto {
            crate::app::evaluations::SelfAssessmentInput {
                self_met: Some(Some(true)),
                ..Default::default()
            }
        } else {
            let max = c.criterion.max_points.unwrap_or_default().value();
            let short = n % 4 == 1;
            crate::app::evaluations::SelfAssessmentInput {
                self_score: Some(Some(if short { max - 1.0 } else { max })),
                self_note: short.then(|| Some("部分台账记录不全".to_owned())),
                ..Default::default()
            }
        };
        crate::app::evaluations::self_assess(
            conn,
            desk.officer,
            id,
            &c.criterion.reference,
            &input,
            ctx.now,
        )
        .map_err(err)?;
    }
    desk.act(conn, desk.officer, id, Action::Submit, None)?;
    Ok((id, evaluation))
}

/// One expert's scores of the first `items` items: full points, but `off` below on every
/// third scored item, with the reason; veto items met.
#[allow(clippy::too_many_arguments)]
fn score(
    ctx: &Ctx,
    conn: &mut DbConn,
    who: &Access,
    id: i64,
    evaluation: &Evaluation,
    items: usize,
    off: f64,
    reason: &str,
) -> anyhow::Result<()> {
    for (n, c) in evaluation
        .criteria
        .iter()
        .filter(|c| c.criterion.leaf)
        .take(items)
        .enumerate()
    {
        let input = if c.criterion.veto {
            ScoreInput {
                met: Some(Some(true)),
                ..Default::default()
            }
        } else {
            let max = c.criterion.max_points.unwrap_or_default().value();
            let short = n % 3 == 0 && off > 0.0;
            ScoreInput {
                score: Some(Some(if short { (max - off).max(0.0) } else { max })),
                comment: short.then(|| Some(reason.to_owned())),
                ..Default::default()
            }
        };
        crate::app::panels::score(conn, who, id, &c.criterion.reference, &input, ctx.now)
            .map_err(err)?;
    }
    Ok(())
}

/// The lead's consensus of every item: the median of the sealed scores (the majority of a
/// veto item).
fn agree(ctx: &Ctx, conn: &mut DbConn, lead: &Access, id: i64) -> anyhow::Result<()> {
    let seen = crate::app::evaluations::get(conn, lead, id).map_err(err)?;
    for c in seen.criteria.iter().filter(|c| c.criterion.leaf) {
        let input = if c.criterion.veto {
            let judged: Vec<bool> = c.scores.iter().filter_map(|s| s.met).collect();
            ConsensusInput {
                met: Some(panel::majority(&judged).or(Some(true))),
                ..Default::default()
            }
        } else {
            let scored: Vec<Points> = c.scores.iter().filter_map(|s| s.score).collect();
            ConsensusInput {
                score: Some(panel::median(&scored).map(|m| m.start().value())),
                ..Default::default()
            }
        };
        crate::app::panels::consensus(conn, lead, id, &c.criterion.reference, &input, ctx.now)
            .map_err(err)?;
    }
    Ok(())
}

pub(super) fn evaluations(
    ctx: &Ctx,
    conn: &mut DbConn,
    settings: &Settings,
    db: &Db,
    schools: &Schools,
    people: &People,
    quanzhou: &Access,
) -> anyhow::Result<()> {
    step("expert panels: one half-way through scoring, one on a public notice");
    let storage = crate::evidence::open_storage(&settings.evidence, db)?;
    let xiamen_officer = users::create(
        conn,
        &ctx.operator,
        &users::NewUser {
            email: EmailAddress::parse("officer@xm.demo.accredit.cn").map_err(err)?,
            name: PersonName::parse("吴老师 Officer Wu (Xiamen)").map_err(err)?,
            role: Role::QualityOfficer,
            province_id: None,
            school_id: Some(schools.xm.id),
            valid_until: None,
            password_change_required: false,
        },
        &ctx.hash,
    )
    .map_err(err)?
    .access(ctx.today);
    let (li, zhao, sun) = (people.experts[0], people.experts[1], people.experts[2]);
    let today = ctx.today;

    // Xiamen: scored, sealed, agreed and recommended; published, with one objection.
    let desk = Desk {
        ctx,
        storage: storage.clone(),
        officer: &xiamen_officer,
        school_id: schools.xm.id,
    };
    let (xiamen, evaluation) = apply(ctx, conn, &desk, "申报国家重点技工学校")?;
    let panel = PanelInput {
        lead_id: li,
        member_ids: vec![zhao, sun],
    };
    crate::app::panels::form(conn, &people.bureau, xiamen, &panel, today, ctx.now).map_err(err)?;
    for (who, off, reason) in [
        (li, 1.0, "实训工位与在校生规模不相适应"),
        (zhao, 0.5, "校企合作协议部分已过期"),
        (sun, 1.5, "教学督导记录不完整"),
    ] {
        let expert = expert(conn, who, ctx.today)?;
        score(
            ctx,
            conn,
            &expert,
            xiamen,
            &evaluation,
            usize::MAX,
            off,
            reason,
        )?;
        crate::app::panels::seal(conn, &expert, xiamen, ctx.now).map_err(err)?;
    }
    let lead = expert(conn, li, ctx.today)?;
    agree(ctx, conn, &lead, xiamen)?;
    desk.act(
        conn,
        &people.reviewer,
        xiamen,
        Action::Review(ReviewDecision::Recommend),
        Some("专家组合议通过，建议推荐。"),
    )?;
    let notice = crate::app::notices::NoticeInput {
        title: "2026 年国家重点技工学校评估结果公示".into(),
        body: Some(
            "经学校自评、专家组现场评估和集体合议，现将评估结果予以公示。公示期内如有异议，请实名反映。"
                .into(),
        ),
        submission_ids: vec![xiamen],
        opens_on: today.to_string(),
        closes_on: (today + time::Duration::days(6)).to_string(),
    };
    let published = crate::app::notices::publish(
        conn,
        &people.bureau,
        schools.xm.province_id,
        &notice,
        today,
        ctx.now,
    )
    .map_err(err)?;
    let objection = crate::app::notices::ObjectionInput {
        submission_id: xiamen,
        name: "陈先生".into(),
        contact: "0592-5550123".into(),
        text: "该校实训基地部分设备为租用，与申报材料所述“自有”不符，请核实。".into(),
    };
    crate::app::notices::object(
        conn,
        published.id,
        &objection,
        "203.0.113.7",
        today,
        ctx.now,
    )
    .map_err(err)?;

    // Quanzhou: handed in; its panel half-way: one sealed, one scoring, one not begun.
    let desk = Desk {
        ctx,
        storage,
        officer: quanzhou,
        school_id: schools.qz.id,
    };
    let (qz, evaluation) = apply(ctx, conn, &desk, "申报国家重点技工学校（泉州）")?;
    let panel = PanelInput {
        lead_id: sun,
        member_ids: vec![li, zhao],
    };
    crate::app::panels::form(conn, &people.bureau, qz, &panel, today, ctx.now).map_err(err)?;
    let li = expert(conn, li, ctx.today)?;
    score(
        ctx,
        conn,
        &li,
        qz,
        &evaluation,
        usize::MAX,
        1.0,
        "专业设置与区域产业匹配度不足",
    )?;
    crate::app::panels::seal(conn, &li, qz, ctx.now).map_err(err)?;
    let zhao = expert(conn, zhao, ctx.today)?;
    score(
        ctx,
        conn,
        &zhao,
        qz,
        &evaluation,
        8,
        0.5,
        "部分证明材料缺少盖章",
    )?;
    Ok(())
}
