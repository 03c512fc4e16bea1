//! The page templates, embedded in the binary and compiled once at start-up: one tera
//! instance per language, whose global context holds that language's catalogue as `t`.

use std::collections::HashMap;

use tera::{Context, Tera};

use crate::domain::lang::Lang;
use crate::error::AppError;
use crate::i18n::catalogue;

/// A template embedded in the binary, by its path under `templates/`.
macro_rules! template {
    ($name:literal) => {
        ($name, include_str!(concat!("../templates/", $name)))
    };
}

/// Every template, by name. A test renders each of them in both languages, and another
/// fails when a file under `templates/` is missing here.
pub const TEMPLATES: &[(&str, &str)] = &[
    template!("base.html"),
    template!("pages/landing.html"),
    template!("pages/error.html"),
    template!("pages/programmes.html"),
    template!("pages/api_docs.html"),
    template!("pages/login.html"),
    template!("pages/home.html"),
    template!("pages/school.html"),
    template!("pages/account.html"),
    template!("pages/provinces.html"),
    template!("pages/users.html"),
    template!("pages/audits.html"),
    template!("pages/audit.html"),
    template!("pages/indicators.html"),
    template!("pages/submissions.html"),
    template!("pages/submission.html"),
    template!("pages/queue.html"),
    template!("pages/inbox.html"),
    template!("pages/peers.html"),
    template!("pages/rounds.html"),
    template!("pages/standards_check.html"),
    template!("pages/access_log.html"),
    template!("pages/platform_refused.html"),
    template!("pages/robots.html"),
    template!("pages/round.html"),
    template!("pages/status_data.html"),
    template!("pages/annual_report.html"),
    template!("pages/mail_opt_out.html"),
    template!("pages/mail_admin.html"),
    template!("pages/standards.html"),
    template!("pages/standard.html"),
    template!("pages/notice.html"),
    template!("pages/notices.html"),
    template!("pages/conflicts.html"),
    template!("partials/audit_rows.html"),
    template!("partials/audit_fields.html"),
    template!("partials/errors.html"),
    template!("partials/school_fields.html"),
    template!("report/annual.html"),
    template!("mail/subject.txt"),
    template!("mail/body.txt"),
    template!("mail/body.html"),
];

pub struct Templates {
    by_lang: HashMap<Lang, Tera>,
}

impl Templates {
    pub fn load() -> anyhow::Result<Templates> {
        let mut by_lang = HashMap::new();
        for lang in Lang::ALL {
            let mut tera = Tera::new();
            // Filters first: templates are checked against them as they are added.
            tera.register_filter("figure", figure_filter);
            tera.register_filter(
                "due_in",
                move |value: tera::Value, _: tera::Kwargs, _: &tera::State| match value.as_f64() {
                    Some(days) => {
                        tera::Value::from(crate::domain::numbers::due_in(days as i64, lang))
                    }
                    None => value,
                },
            );
            tera.add_raw_templates(TEMPLATES.iter().copied())
                .map_err(|e| anyhow::anyhow!("template error: {e}"))?;
            let strings = catalogue(lang)?;
            let global = tera.global_context();
            global.insert("t", &strings);
            global.insert("lang", lang.code());
            global.insert("other_lang", lang.other().code());
            by_lang.insert(lang, tera);
        }
        Ok(Templates { by_lang })
    }

    pub fn render(&self, lang: Lang, name: &str, context: &Context) -> Result<String, AppError> {
        let tera = self
            .by_lang
            .get(&lang)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no templates for {lang:?}")))?;
        tera.render(name, context)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering {name}: {e:?}")))
    }
}

/// `{{ x | figure }}`: a number as people write it (`4200.0` → `4,200`, `12.5` → `12.5`);
/// anything else as it is.
fn figure_filter(value: tera::Value, _: tera::Kwargs, _: &tera::State) -> tera::Value {
    match value.as_f64() {
        Some(n) if value.is_number() => tera::Value::from(crate::domain::numbers::figure(n)),
        _ => value,
    }
}

/// The context every page needs: where it is (for the language switch's way back).
pub fn page_context(path: &str) -> Context {
    let mut context = Context::new();
    context.insert("path", path);
    context.insert("next_param", &percent_encode(path));
    context
}

/// Percent-encodes everything but unreserved characters and `/`, for a path in a query.
pub fn percent_encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Sample values for every variable a template may use.
    fn sample_context() -> Context {
        let mut context = page_context("/");
        context.insert("status", &404);
        context.insert("error_code", "not_found");
        context.insert("error_message", "not found");
        context.insert("csrf_token", "0123");
        let programme = json!({"id": 5, "province_id": 1, "name": "Double high", "title_type_code": "double_high_school",
            "indicator": null, "threshold": null, "target_count": 23, "target_date": "2027-12-31", "progress": 4,
            "percent": 17, "trend": [{"year": 2025, "count": 3}], "closed_on": null, "version": 2});
        context.insert("programmes", &json!([programme]));
        let mut closed = programme.clone();
        closed["closed_on"] = json!("2026-05-01");
        context.insert("closed_programmes", &json!([closed]));
        context.insert("title_types", &json!([{"code": "nkts", "name": "National Key Technical School", "name_zh": "国家重点技工学校"}]));
        context.insert(
            "indicators",
            &json!([{"code": "students", "name": "Students", "name_zh": "在校生"}]),
        );
        context.insert("manages", &true);
        context.insert("failed", &5);
        context.insert(
            "me",
            &json!({"id": 1, "name": "林", "email": "a@b.cn", "role": "province_admin", "is_admin": false, "manages_users": true, "must_change_password": true}),
        );
        let school = json!({"id": 3, "province_id": 1, "name": "Fuzhou No.2 Senior Technical School",
            "name_zh": "福州第二高级技工学校", "city": "Fuzhou", "kind": "senior_technical_school",
            "founded_year": 1958, "version": 2, "status": "merged", "successor_id": 4,
            "effective_on": "2025-09-01", "reason": "整合 <b>"});
        let province = json!({"id": 1, "code": "FJ", "name": "Fujian", "name_zh": "福建省"});
        context.insert("school", &school);
        context.insert("schools", &json!([school]));
        context.insert("province", &province);
        context.insert("provinces", &json!([province]));
        context.insert("registrable_provinces", &json!([province]));
        context.insert(
            "users",
            &json!([{"id": 2, "name": "王", "email": "w@b.cn", "role": "reviewer", "active": false,
            "external_id": "20190001", "password_change_required": true}]),
        );
        context.insert("external_id_failed", &false);
        context.insert("entries", &json!([{"at": "2026-06-01 08:00:00", "event": "sign_in", "method": "password",
            "succeeded": false, "reason": "invalid_credentials", "email": "w@b.cn", "client_addr": "127.0.0.1",
            "user_agent": "Mozilla/5.0"}]));
        context.insert("entries_total", &1);
        context.insert("failed_only", &false);
        context.insert("next_cursor", "abc");
        context.insert(
            "platforms",
            &json!([{"method": "oidc", "label": "福建省教育统一身份认证"}]),
        );
        context.insert("next_query", "%2Fhome");
        context.insert("refusal", "unknown_account");
        context.insert("robots", &json!([{"id": 3, "province_id": 1, "kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=ab12…",
            "has_secret": true, "events": ["submission.submitted", "digest.weekly"], "created_at": "2026-06-01T00:00:00Z"}]));
        context.insert(
            "robot_events",
            &["submission.submitted", "objection.received"],
        );
        context.insert("platforms_configured", &json!([{"method": "cas", "label": "统一身份认证", "address": "https://cas.example.edu.cn/cas"}]));
        context.insert("roles", &["reviewer", "quality_officer"]);
        context.insert("form", &json!({}));
        context.insert(
            "errors",
            &json!({"name": "must not be empty", "province_id": "names no province"}),
        );
        context.insert("done", "saved");
        context.insert("can_edit", &true);
        context.insert("conflict", &true);
        context.insert("next", "/home");
        context.insert("email", "a@b.cn");
        context.insert("login_error", "throttled");
        context.insert("retry_minutes", &15);
        context.insert("keeps_record", &true);
        context.insert("registers_titles", &true);
        context.insert("today", "2026-06-01");
        context.insert("form_name", "audit");
        context.insert("typed", &json!({"kind": "surveillance"}));
        context.insert("certificate", &json!({"standard": "ISO 9001:2015", "certification_body": "CQC",
            "certificate_number": "00124Q", "scope": "training", "issued_on": "2024-04-01", "expires_on": "2026-03-31"}));
        context.insert("titles", &json!([{"title_name": "National Key Technical School", "title_name_zh": "国家重点技工学校",
            "level": "national", "awarded_on": "1998-03-01", "last_evaluated_on": "2005-06-30", "status": "suspended",
            "next_reevaluation_due": "2010-06-30", "reevaluation_state": "overdue", "id": 5, "version": 2,
            "school_id": 3, "settlement": null, "transferred_from": 7}]));
        context.insert("wound_up", &true);
        context.insert(
            "successor",
            &json!({"id": 4, "name": "Fuzhou No.1", "name_zh": "福州一技"}),
        );
        context.insert("absorbed", &json!([{"id": 7, "name": "Minhou", "name_zh": "闽侯技校", "effective_on": "2025-09-01"}]));
        context.insert(
            "successors",
            &json!([{"id": 4, "name": "Fuzhou No.1", "name_zh": null, "city": "Fuzhou"}]),
        );
        context.insert("standards_year", &2025);
        context.insert("standards_line", &json!({"met": false, "unknown": ["teachers"],
            "shortfalls": [{"code": "campus_area_m2", "value": 21000.0, "minimum": 30000.0, "maximum": null, "gap": 9000.0}]}));
        context.insert("status_offered", &true);
        context.insert("status_shown", "active");
        context.insert("checks", &json!([{"school_id": 3, "name": "Fuzhou No.2", "name_zh": "福州二技", "city": "Fuzhou",
            "kind": "senior_technical_school", "state": "accepted", "accepted": true, "met": false, "unknown": ["teachers"],
            "shortfalls": [{"code": "students_per_teacher", "value": 24.5, "minimum": null, "maximum": 20.0, "gap": 4.5}]}]));
        context.insert(
            "check_counts",
            &json!({"schools": 3, "accepted": 2, "met": 1}),
        );
        context.insert("short_of", &json!([["campus_area_m2", 1], ["teachers", 0]]));
        context.insert("cities", &["Fuzhou", "Xiamen"]);
        context.insert("codes", &crate::app::standards_check::standard_codes());
        context.insert("kinds", crate::domain::SchoolKind::ALL);
        context.insert("filter_city", "Fuzhou");
        context.insert("filter_kind", "");
        context.insert("filter_below", "campus_area_m2");
        context.insert("filter_met", "false");
        context.insert("query", "year=2025&below=campus_area_m2");
        context.insert(
            "catalogue",
            &json!([{"code": "double_high_school", "name": "Double High", "name_zh": "双高"}]),
        );
        let audit = json!({"id": 4, "kind": "internal", "standard": "ISO 9001:2015", "started_on": "2026-03-02",
            "ended_on": "2026-03-04", "lead_auditor": "陈静", "auditing_body": null, "scope": "all", "summary": "ok",
            "province_verified_on": "2026-05-01", "version": 1, "findings": 2, "open_findings": 1});
        context.insert("audit", &audit);
        context.insert("audits", &json!([audit]));
        context.insert("audit_count", &7);
        context.insert("total", &41);
        context.insert("page_number", &2);
        context.insert("pages", &3);
        let finding = json!({"id": 9, "audit_id": 4, "clause": "8.5.1", "clause_title": "Control", "clause_title_zh": "控制",
            "grade": "major_nc", "description": "Work instruction missing", "due_on": "2026-05-01", "status": "open",
            "reopen_reason": "recurred", "version": 3, "corrective_action": {"root_cause": "none", "action": "write it",
            "owner": "Lin", "due_on": "2026-05-01", "done_on": "2026-05-02", "verified_by": "QA", "verified_on": "2026-05-03",
            "effective": true, "verification_note": "checked"}});
        let plain = json!({"id": 10, "audit_id": 4, "clause": "9.2", "clause_title": "Internal audit", "clause_title_zh": "内部审核",
            "grade": "ofi", "description": "Could improve", "due_on": null, "status": "closed", "reopen_reason": null,
            "version": 1, "corrective_action": null});
        context.insert("findings", &json!([finding, plain]));
        context.insert("open_findings", &json!([finding]));
        context.insert("clauses", crate::domain::clause::CLAUSES);
        context.insert(
            "years",
            &json!([{"year": 2026, "state": "in_progress", "locked": false, "figures_entered": 12, "due_on": "2026-09-30"},
                {"year": 2025, "state": "accepted", "locked": true, "figures_entered": 20, "due_on": null}]),
        );
        context.insert("this_year", &2026);
        let submission = json!({"id": 3, "school_id": 3, "kind": "title_reevaluation", "title": "Re-evaluation",
            "summary": "see files", "status": "changes_requested", "round": 2, "version": 4, "recommended_by": null,
            "submitted_at": "2026-05-01T08:00:00.000000Z"});
        let file = json!({"id": 1, "round": 1, "filename": "report.pdf", "content_type": "application/pdf",
            "size_bytes": 1200, "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "description": "self-evaluation"});
        context.insert("submission", &submission);
        context.insert("submissions", &json!([submission]));
        context.insert("evidence", &json!([file]));
        context.insert("rounds", &json!([{"round": 1, "files": [file]}]));
        context.insert("events", &json!([{"at": "2026-05-01T08:00:00.000000Z", "actor_id": 2, "action": "review:request_changes",
            "from_status": "submitted", "to_status": "changes_requested", "round": 1, "comment": "add records"}]));
        context.insert("can_prepare", &true);
        context.insert("can_review", &false);
        context.insert("can_sign_off", &true);
        context.insert("is_recommender", &false);
        context.insert("prepares", &true);
        context.insert("problem", "four_eyes");
        context.insert("max_upload_mib", &50);
        context.insert("holdings", &json!([{"id": 5, "title_name": "National Key Technical School", "title_name_zh": "国家重点技工学校"}]));
        context.insert("rows", &json!([{"submission": submission, "school": {"name": "Fuzhou No.2", "name_zh": "福州二技"}}]));
        context.insert("counts", &json!({"submitted": 2}));
        context.insert("status", "submitted");
        context.insert("school_filter", "3");
        context.insert("kind_filter", "audit_report");
        context.insert("pager_query", "status=submitted&school=&kind=");
        context.insert("schools_total", &3);
        context.insert("search", "Fuzhou");
        context.insert("search_query", "Fuzhou");
        context.insert("peer_count", &1);
        context.insert("standards", &json!([{"measure": "campus_area_m2", "minimum": 40000.0, "actual": 36000.0, "compliance": "nearly_meets"}]));
        context.insert("notices", &json!([{"id": 1, "submission_id": 3, "event": "submit", "created_at": "2026-05-01T08:00:00.000000Z", "read_at": null}]));
        context.insert("unread", &1);
        context.insert("backend", "sqlite");
        context.insert("calendar_url", "/calendar/abc.ics");
        context.insert("grants_managed", &true);
        context.insert("grants", &json!([{"grant": {"id": 1, "until": "2026-12-31", "include_evidence": true, "revoked_at": null}, "name": "Quanzhou", "name_zh": "泉州"}]));
        context.insert("home", &json!({"unread": 2, "queue": [submission], "queue_count": 1, "queue_status": "recommended",
            "overdue_count": 1, "deadlines": [{"overdue": true, "due_on": "2010-06-30", "school_name": "Fuzhou No.2", "school_name_zh": null, "kind": "reevaluation", "subject": "National Key"}],
            "programmes": [{"name": "Double high", "progress": 2, "target_count": 23, "percent": 8, "target_date": "2023-12-31", "trend": [{"year": 2021, "count": 1}]}],
            "health": {"provinces": 3, "schools": 9, "users": 20, "submissions": 4, "history": 100, "mail": {"waiting": 2, "retrying": 0, "failed": 1, "delivered": 5}},
            "submissions": [submission]}));
        context.insert("comparison", &json!({"peers": [{"school_id": 2}], "standards": [{"measure": "campus_area_m2", "minimum": 40000.0, "actual": 36000.0, "compliance": "nearly_meets"}]}));
        context.insert("same_kind", &false);
        context.insert("due", &json!([{"overdue": true, "due_on": "2010-06-30", "kind": "reevaluation", "subject": "National Key"}]));
        context.insert("figures", &json!([{"metric": "students", "value": 4200, "percentile": 60, "higher_is_better": true, "chart": "<svg></svg>"}, {"metric": "open_major_nc", "value": null, "percentile": null, "higher_is_better": false, "chart": null}]));
        let round = json!({"id": 1, "province_id": 1, "year": 2026, "due_on": "2026-03-31", "status": "open", "change_threshold_pct": 30});
        context.insert("collection_rounds", &json!([round]));
        context.insert("opens_rounds", &true);
        context.insert("manages", &true);
        context.insert("round_title", "2026");
        context.insert("round", &json!({"id": 1, "province_id": 1, "year": 2026, "due_on": "2026-03-31", "status": "open",
            "change_threshold_pct": 30, "counts": {"submitted": 1, "overdue": 2}, "indicators_entered": 20,
            "schools": [{"school_id": 3, "name": "Fuzhou No.2", "name_zh": "福州二技", "city": "Fuzhou", "state": "returned",
                "overdue": true, "figures_entered": 12, "submission_id": 4}]}));
        context.insert(
            "states",
            &[
                "not_started",
                "in_progress",
                "submitted",
                "accepted",
                "returned",
            ],
        );
        context.insert("state_filter", "returned");
        context.insert("overdue_filter", &true);
        context.insert("listed", "1,204");
        context.insert("pager_query", "q=&state=returned");
        context.insert("year", &2026);
        context.insert("data", &json!({"state": "returned", "locked": false, "locked_at": null, "reopen_reason": "复核",
            "submission_id": 4, "round": round, "change_threshold_pct": 30, "version": 3, "explanations": {"students": "扩招"}}));
        context.insert("lines", &json!([{"code": "students", "name": "在校生数", "unit": "人", "help": "…", "previous": "4,105 人",
            "value": "4,200", "error": "必须是整数"}]));
        context.insert("ratios", &json!([{"code": "students_per_teacher", "name": "生师比", "unit": "生/师", "value": "15",
            "previous": "14", "numerator": "students", "denominator": "teachers", "scale": 1.0, "decimals": 2, "standard": "≤ 20", "below": false}]));
        context.insert("flags", &json!([{"code": "students", "name": "在校生数", "text": "较上年变化 35%", "explanation": "扩招", "error": null}]));
        context.insert("editable", &true);
        context.insert("can_submit", &true);
        context.insert("can_reopen", &true);
        context.insert("overdue", &true);
        context.insert("report_submission", &5);
        context.insert("entered_count", &12);
        context.insert("entered_total", &20);
        context.insert("sections", &json!({"highlights": "亮点", "problems": null}));
        context.insert("locked", &false);
        context.insert(
            "mail",
            &json!({"workflow": true, "reminders": false, "digest": true}),
        );
        context.insert("mail_language", "en");
        context.insert("token", "a.b.c");
        context.insert("valid", &true);
        context.insert("mail_kind", "digest");
        context.insert("smtp_host", "mail.example.cn:587");
        context.insert("evidence_store", "s3://accredit-evidence/fujian");
        context.insert("retried", &3);
        context.insert(
            "standing",
            &json!({"waiting": 2, "retrying": 1, "failed": 1, "delivered": 40}),
        );
        context.insert(
            "troubles",
            &json!([{"id": 9, "kind": "workflow", "email": "a@b.cn", "attempts": 8,
            "last_error": "Connection refused <b>", "created_at": "2026-06-01T08:00:00Z",
            "next_attempt_at": null, "failed_at": "2026-06-01T10:00:00Z"}]),
        );
        context.insert("writes", &true);
        context.insert("attaches", &true);
        context.insert("standard_list", &json!([{"id": 1, "code": "nkts_2024", "version": 2, "name": "National Key Technical School", "name_zh": "国家重点技工学校评估标准",
            "scope": "national", "province_id": null, "title_type_code": "national_key_technical_school", "total_points": 100.0, "pass_points": 85.0, "criteria_count": 24, "in_use": true}]));
        context.insert("imports", &true);
        context.insert("standard", &json!({"id": 1, "code": "nkts_2024", "version": 2, "name": "National Key Technical School", "name_zh": null,
            "scope": "provincial", "province_id": 3, "title_type_code": null, "total_points": 12.5, "pass_points": 10.0, "in_use": false,
            "criteria": [{"ref": "1", "parent_ref": null, "name": "Conditions", "name_zh": "办学条件", "max_points": 12.5, "veto": false, "guidance": null, "evidence_expected": null, "depth": 0, "leaf": false},
                {"ref": "1.1", "parent_ref": "1", "name": "Campus <b>area</b>", "name_zh": null, "max_points": 12.5, "veto": false, "guidance": "每少 1,000 平方米扣 1 分", "evidence_expected": "土地证", "depth": 1, "leaf": true},
                {"ref": "2", "parent_ref": null, "name": "Safety", "name_zh": null, "max_points": null, "veto": true, "guidance": null, "evidence_expected": null, "depth": 0, "leaf": true}]}));
        context.insert("evaluation", &json!({"submission_id": 5, "standard": {"id": 1, "code": "nkts_2024", "version": 2, "name": "NKTS", "total_points": 12.5, "pass_points": 10.0},
            "state": "self_assessment", "totals": {"self": 8.0, "consensus": null, "max": 12.5}, "outcome": null, "outcome_reasons": [], "unassessed": ["2"],
            "criteria": [{"ref": "1", "parent_ref": null, "name": "Conditions", "name_zh": "办学条件", "max_points": 12.5, "veto": false, "guidance": null, "evidence_expected": null, "depth": 0, "leaf": false,
                    "self_score": 8.0, "self_met": null, "self_note": null, "evidence_ids": [], "scores": [], "consensus_score": null, "consensus_met": null, "consensus_note": null, "disagreement": false},
                {"ref": "1.1", "parent_ref": "1", "name": "Campus", "name_zh": null, "max_points": 12.5, "veto": false, "guidance": "<b>rule</b>", "evidence_expected": null, "depth": 1, "leaf": true,
                    "self_score": 8.0, "self_met": null, "self_note": "缺 2,000 平方米", "evidence_ids": [7], "scores": [{"expert_id": 9, "score": 7.5, "met": null, "comment": "x", "sealed": true}], "consensus_score": 7.5, "consensus_met": null, "consensus_note": null, "disagreement": false},
                {"ref": "2", "parent_ref": null, "name": "Safety", "name_zh": null, "max_points": null, "veto": true, "guidance": null, "evidence_expected": null, "depth": 0, "leaf": true,
                    "self_score": null, "self_met": null, "self_note": null, "evidence_ids": [], "scores": [], "consensus_score": null, "consensus_met": null, "consensus_note": null, "disagreement": false}]}));
        context.insert("panel_rights", &json!({
            "panel": {"submission_id": 5, "lead_id": 9, "all_sealed": true, "members": [
                {"user_id": 9, "name": "Lead <i>", "role": "expert", "lead": true, "sealed": true, "sealed_at": "2026-05-02T08:00:00.000000Z"},
                {"user_id": 10, "name": "Member", "role": "reviewer", "lead": false, "sealed": false, "sealed_at": null}]},
            "seat": [true, false], "form": true, "score": true, "agree": true, "visit": true,
            "candidates": [[9, "Lead", "expert"], [10, "Member", "reviewer"]],
            "mine": {"1.1": {"score": 8.0, "met": null, "comment": "缺少 <b>"}, "2": {"score": null, "met": true, "comment": null}},
            "start": {"1.1": "8", "2": "true"}}));
        context.insert("problem_text", "Someone acted in the meantime");
        let entry = json!({"submission_id": 5, "school_id": 3, "school_name": "福州 <b>二技</b>", "title_type_code": "national_key_technical_school", "consensus_total": 88.5, "outcome": "pass"});
        context.insert("notice", &json!({"id": 2, "province_id": 1, "title": "公示 <i>", "body": "经专家评审", "opens_on": "2026-06-01", "closes_on": "2026-06-07", "state": "open", "entries": [entry]}));
        context.insert("entry_titles", &json!(["国家重点技工学校"]));
        context.insert("published", &json!([{"id": 2, "province_id": 1, "title": "公示", "body": null, "opens_on": "2026-06-01", "closes_on": "2026-06-07", "state": "closed", "entries": [entry]}]));
        context.insert("typed", &json!({"submission_id": "5", "name": "李明"}));
        context.insert("objections", &json!([{"id": 4, "notice_id": 2, "notice_title": "公示", "submission_id": 5, "school_id": 3, "school_name": "福州二技", "name": "李明", "contact": "138", "text": "<script>x</script>", "received_at": "2026-06-02T08:00:00.000000Z", "state": "pending", "upheld": null, "resolution": null, "resolved_at": null}]));
        context.insert("candidates", &json!([[entry, "申报国家重点技工学校"]]));
        context.insert("today", "2026-06-01");
        context.insert("failed", &0);
        context.insert("declared", &json!([{"id": 1, "school_id": 3, "school_name": "福州二技", "reason": "曾任教", "created_at": "2026-06-02T08:00:00.000000Z"}]));
        context.insert("directory", &json!([[3, "Fuzhou No.2", "福州二技"]]));
        context.insert("groups", &1);
        context.insert("items", &1);
        context.insert("vetoes", &1);
        context.insert("submission_id", &5);
        context.insert("submission_status", "draft");
        context.insert("report", &json!({"lang": "zh-CN", "year": 2025, "school_id": 3,
            "cover": {"title": "学校质量年度报告", "school": "福州第二高级技工学校", "school_other": "Fuzhou No.2",
                "year": "2025 年度", "province": "福建省", "generated": "生成日期：2026-06-01",
                "draft": "草稿：数据尚未经省级确认", "status_note": "…"},
            "sections": [{"heading": "一、学校概况", "blocks": [
                {"type": "facts", "pairs": [{"label": "名称", "value": "福州第二高级技工学校"}]},
                {"type": "paragraph", "text": "<b>not bold</b>"},
                {"type": "table", "header": ["指标", "2025"], "numeric": [false, true],
                    "rows": [{"cells": ["在校生数", "4,200 人"], "marked": true}]},
                {"type": "chart", "caption": "主要数据", "svg": "<svg></svg>"}]}]}));
        context
    }

    #[test]
    fn every_template_renders_in_both_languages() {
        let templates = Templates::load().unwrap();
        for lang in Lang::ALL {
            // The mails have their own context, and their own test (mail::letter).
            for (name, _) in TEMPLATES.iter().filter(|(n, _)| !n.starts_with("mail/")) {
                let html = templates
                    .render(lang, name, &sample_context())
                    .unwrap_or_else(|e| panic!("{name} in {lang:?}: {e:?}"));
                if !name.starts_with("partials/") {
                    let tag = format!("lang=\"{}\"", lang.code());
                    assert!(html.contains(&tag), "{name}");
                }
            }
        }
    }

    #[test]
    fn every_template_file_is_embedded() {
        fn walk(dir: &std::path::Path, root: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, root, found);
                } else if path.extension().is_some_and(|e| e == "html" || e == "txt") {
                    found.push(
                        path.strip_prefix(root)
                            .unwrap()
                            .to_string_lossy()
                            .into_owned(),
                    );
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut found = Vec::new();
        walk(&root, &root, &mut found);
        for name in found {
            assert!(
                TEMPLATES.iter().any(|(n, _)| *n == name),
                "templates/{name} is not in TEMPLATES"
            );
        }
    }

    #[test]
    fn output_is_escaped() {
        let templates = Templates::load().unwrap();
        let mut context = sample_context();
        context.insert("error_message", "<script>alert(1)</script>");
        let html = templates
            .render(Lang::En, "pages/error.html", &context)
            .unwrap();
        assert!(!html.contains("<script>alert(1)</script>"));
        assert!(html.contains("&lt;script&gt;"));
    }
}
