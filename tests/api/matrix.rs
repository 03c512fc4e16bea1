//! The access matrix: every registered route × every role (and no one) × own and foreign
//! tenants, on both databases. A route without an entry here fails the test, so the matrix
//! grows with the API.

use accredit::http::api::ROUTES;
use serde_json::{Value, json};

use crate::helpers::{TestApp, both_backends};
use crate::world::{Actor, PASSWORD, World};

/// What a request aims at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Nothing,
    OwnProvince,
    ForeignProvince,
    OwnSchool,
    SiblingSchool,
    ForeignSchool,
    Colleague,
    ForeignUser,
    OwnAudit,
    SiblingAudit,
    ForeignAudit,
    OwnFinding,
    SiblingFinding,
    ForeignFinding,
    OwnTitle,
    SiblingTitle,
    ForeignTitle,
    OwnDraft,
    SiblingDraft,
    ForeignDraft,
    OwnSubmitted,
    SiblingSubmitted,
    ForeignSubmitted,
    OwnRecommended,
    SiblingRecommended,
    ForeignRecommended,
    OwnEvidence,
    SiblingEvidence,
    ForeignEvidence,
    OwnGrant,
    SiblingGrant,
    ForeignGrant,
    OwnRound,
    ForeignRound,
    OwnProgramme,
    ForeignProgramme,
    NationalStandard,
    OwnStandard,
    ForeignStandard,
    OwnEvaluated,
    SiblingEvaluated,
    ForeignEvaluated,
    OwnRobot,
    ForeignRobot,
}

const DRAFTS: &[Target] = &[OwnDraft, SiblingDraft, ForeignDraft];
const SUBMITTED: &[Target] = &[OwnSubmitted, SiblingSubmitted, ForeignSubmitted];
const RECOMMENDED: &[Target] = &[OwnRecommended, SiblingRecommended, ForeignRecommended];
const EVALUATED: &[Target] = &[OwnEvaluated, SiblingEvaluated, ForeignEvaluated];

/// A workflow step sent with a stale version (so that no state changes): those allowed to
/// take it get 409, others who see the school 403, the rest 404.
fn step(actor: Actor, target: Target, allowed: fn(Actor, Target) -> bool) -> u16 {
    signed_in(
        actor,
        match (
            reads_school(actor, school_of(target)),
            allowed(actor, school_of(target)),
        ) {
            (false, _) => 404,
            (true, true) => 409,
            (true, false) => 403,
        },
    )
}

/// Something only the school's own officer does: `ok` for them, 403 for others who see the
/// school, 404 for the rest.
fn officer_writes(actor: Actor, target: Target, ok: u16) -> u16 {
    match step(actor, target, officer_of_own) {
        409 => ok,
        other => other,
    }
}

fn officer_of_own(actor: Actor, school: Target) -> bool {
    actor == QualityOfficer && school == OwnSchool
}

fn province_reviewer(actor: Actor, school: Target) -> bool {
    matches!(actor, Reviewer | ProvinceAdmin) && school != ForeignSchool
}

fn province_head(actor: Actor, school: Target) -> bool {
    actor == ProvinceAdmin && school != ForeignSchool
}

/// The school a target belongs to, for targets inside a school's record.
fn school_of(target: Target) -> Target {
    match target {
        OwnAudit | OwnFinding | OwnTitle | OwnDraft | OwnSubmitted | OwnRecommended
        | OwnEvidence | OwnGrant | OwnEvaluated => OwnSchool,
        SiblingAudit | SiblingFinding | SiblingTitle | SiblingDraft | SiblingSubmitted
        | SiblingRecommended | SiblingEvidence | SiblingGrant | SiblingEvaluated => SiblingSchool,
        ForeignAudit | ForeignFinding | ForeignTitle | ForeignDraft | ForeignSubmitted
        | ForeignRecommended | ForeignEvidence | ForeignGrant | ForeignEvaluated => ForeignSchool,
        other => other,
    }
}

/// Does the actor belong to the province of a province (or round) target?
fn of_province(actor: Actor, target: Target) -> bool {
    match actor {
        Admin => true,
        Anonymous => false,
        _ => matches!(target, OwnProvince | OwnRound | OwnProgramme),
    }
}

/// Reading something of a province: its people (and admins) 200, others 404.
fn read_province(actor: Actor, target: Target) -> u16 {
    signed_in(actor, if of_province(actor, target) { 200 } else { 404 })
}

/// Managing something of a province: its head (and admins) `ok`, its other people 403,
/// others 404.
fn head_of_province(actor: Actor, target: Target, ok: u16) -> u16 {
    signed_in(
        actor,
        match (of_province(actor, target), actor) {
            (false, _) => 404,
            (true, Admin | ProvinceAdmin) => ok,
            (true, _) => 403,
        },
    )
}

/// Reading a part of a school's record: 200 if the school is visible, else 404.
fn read_record(actor: Actor, target: Target) -> u16 {
    signed_in(
        actor,
        if reads_school(actor, school_of(target)) {
            200
        } else {
            404
        },
    )
}

/// Writing a school's record: its officer (and admins) succeed with `ok`; others who see
/// the school get 403; the rest 404.
fn write_record(actor: Actor, target: Target, ok: u16) -> u16 {
    let school = school_of(target);
    signed_in(
        actor,
        match (reads_school(actor, school), actor) {
            (false, _) => 404,
            (true, Admin) => ok,
            (true, QualityOfficer) if school == OwnSchool => ok,
            (true, _) => 403,
        },
    )
}

/// Winding a school down (a merger, a closure, a title settled): the school's province
/// admin (and admins) get `ok`, others who see the school 403, the rest 404.
fn winds_down(actor: Actor, target: Target, ok: u16) -> u16 {
    signed_in(
        actor,
        match (reads_school(actor, school_of(target)), actor) {
            (false, _) => 404,
            (true, Admin | ProvinceAdmin) => ok,
            (true, _) => 403,
        },
    )
}

/// Every seeded title but the one `World` gives each school.
const TITLE_CODES: [&str; 8] = [
    "national_key_technical_school",
    "national_vocational_training_base",
    "migrant_workers_training_base",
    "electrical_electronic_training_base",
    "national_key_secondary_vocational_school",
    "double_high_school",
    "rural_labor_transfer_training_base",
    "industry_education_training_base",
];

const SCHOOLS: &[Target] = &[OwnSchool, SiblingSchool, ForeignSchool];
const AUDITS: &[Target] = &[OwnAudit, SiblingAudit, ForeignAudit];
const FINDINGS: &[Target] = &[OwnFinding, SiblingFinding, ForeignFinding];

use Actor::*;
use Target::*;

struct Case {
    method: &'static str,
    path: &'static str,
    targets: &'static [Target],
    body: fn(&World, Target, usize) -> Option<Value>,
    expect: fn(Actor, Target) -> u16,
}

fn no_body(_: &World, _: Target, _: usize) -> Option<Value> {
    None
}

fn signed_in(actor: Actor, status: u16) -> u16 {
    if actor == Anonymous { 401 } else { status }
}

fn id_of(world: &World, target: Target) -> i64 {
    match target {
        OwnProvince => world.province,
        ForeignProvince => world.other_province,
        OwnSchool => world.school,
        SiblingSchool => world.sibling_school,
        ForeignSchool => world.foreign_school,
        Colleague => world.colleague,
        ForeignUser => world.foreign_user,
        OwnAudit => world.audits[0],
        SiblingAudit => world.audits[1],
        ForeignAudit => world.audits[2],
        OwnFinding => world.findings[0],
        SiblingFinding => world.findings[1],
        ForeignFinding => world.findings[2],
        OwnTitle => world.titles[0],
        SiblingTitle => world.titles[1],
        ForeignTitle => world.titles[2],
        OwnDraft => world.drafts[0],
        SiblingDraft => world.drafts[1],
        ForeignDraft => world.drafts[2],
        OwnSubmitted => world.submitted[0],
        SiblingSubmitted => world.submitted[1],
        ForeignSubmitted => world.submitted[2],
        OwnRecommended => world.recommended[0],
        SiblingRecommended => world.recommended[1],
        ForeignRecommended => world.recommended[2],
        OwnEvidence => world.evidence[0],
        SiblingEvidence => world.evidence[1],
        ForeignEvidence => world.evidence[2],
        OwnRound => world.rounds[0],
        ForeignRound => world.rounds[1],
        OwnProgramme => world.programmes[0],
        ForeignProgramme => world.programmes[1],
        NationalStandard => world.standards[0],
        OwnStandard => world.standards[1],
        ForeignStandard => world.standards[2],
        OwnGrant => world.grants[0],
        SiblingGrant => world.grants[1],
        ForeignGrant => world.grants[2],
        OwnEvaluated => world.evaluated[0],
        SiblingEvaluated => world.evaluated[1],
        ForeignEvaluated => world.evaluated[2],
        OwnRobot => world.robots[0],
        ForeignRobot => world.robots[1],
        Nothing => 0,
    }
}

/// A robot's province, as a province target.
fn robot_province(target: Target) -> Target {
    match target {
        OwnRobot => OwnProvince,
        ForeignRobot => ForeignProvince,
        other => other,
    }
}

/// Who may read a school: admins all, the province's staff its schools, school staff theirs.
fn reads_school(actor: Actor, target: Target) -> bool {
    match actor {
        Admin => true,
        ProvinceAdmin | Reviewer => target != ForeignSchool,
        QualityOfficer | SchoolViewer => target == OwnSchool,
        // An expert on no panel sees no school.
        Expert | Anonymous => false,
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            method: "GET",
            path: "/healthz",
            targets: &[Nothing],
            body: no_body,
            expect: |_, _| 200,
        },
        Case {
            method: "GET",
            path: "/api/v1/openapi.json",
            targets: &[Nothing],
            body: no_body,
            expect: |_, _| 200,
        },
        Case {
            method: "POST",
            path: "/api/v1/auth/login",
            targets: &[Nothing],
            body: |_, _, n| {
                Some(json!({"email": format!("nobody{n}@x.example"), "password": "wrong password"}))
            },
            expect: |_, _| 401,
        },
        Case {
            method: "POST",
            path: "/api/v1/auth/logout",
            targets: &[Nothing],
            body: no_body,
            expect: |a, _| signed_in(a, 204),
        },
        Case {
            method: "GET",
            path: "/api/v1/me",
            targets: &[Nothing],
            body: no_body,
            expect: |a, _| signed_in(a, 200),
        },
        Case {
            method: "PATCH",
            path: "/api/v1/me",
            targets: &[Nothing],
            body: |_, _, _| Some(json!({})),
            expect: |a, _| signed_in(a, 200),
        },
        Case {
            method: "POST",
            path: "/api/v1/me/password",
            targets: &[Nothing],
            body: |_, _, _| {
                Some(
                    json!({"current_password": "not it at all", "new_password": "a new long password"}),
                )
            },
            expect: |a, _| signed_in(a, 422),
        },
        Case {
            method: "POST",
            path: "/api/v1/provinces",
            targets: &[Nothing],
            body: |_, _, n| Some(json!({"code": format!("N{n}"), "name": format!("Province {n}")})),
            expect: |a, _| signed_in(a, if a == Admin { 201 } else { 403 }),
        },
        Case {
            method: "GET",
            path: "/api/v1/provinces",
            targets: &[Nothing],
            body: no_body,
            expect: |a, _| signed_in(a, 200),
        },
        Case {
            method: "GET",
            path: "/api/v1/provinces/{id}",
            targets: &[OwnProvince, ForeignProvince],
            body: no_body,
            expect: |a, _| signed_in(a, 200),
        },
        Case {
            method: "POST",
            path: "/api/v1/schools",
            targets: &[OwnProvince, ForeignProvince],
            body: |w, t, n| {
                Some(
                    json!({"province_id": id_of(w, t), "name": format!("School {n}"), "city": "Fuzhou", "kind": "technical_school"}),
                )
            },
            expect: |a, t| {
                signed_in(
                    a,
                    match (a, t) {
                        (Admin, _) | (ProvinceAdmin, OwnProvince) => 201,
                        _ => 403,
                    },
                )
            },
        },
        Case {
            method: "GET",
            path: "/api/v1/schools",
            targets: &[Nothing],
            body: no_body,
            expect: |a, _| signed_in(a, 200),
        },
        Case {
            method: "GET",
            path: "/api/v1/schools/{id}",
            targets: &[OwnSchool, SiblingSchool, ForeignSchool],
            body: no_body,
            expect: |a, t| signed_in(a, if reads_school(a, t) { 200 } else { 404 }),
        },
        Case {
            method: "PATCH",
            path: "/api/v1/schools/{id}",
            targets: &[OwnSchool, SiblingSchool, ForeignSchool],
            body: |_, _, _| Some(json!({"founded_year": 1958})),
            expect: |a, t| {
                signed_in(
                    a,
                    match (reads_school(a, t), a) {
                        (false, _) => 404,
                        (true, Admin | ProvinceAdmin | QualityOfficer) => 200,
                        (true, _) => 403,
                    },
                )
            },
        },
        // Merging a school into itself: 422 for those who may merge it, nothing changed.
        Case {
            method: "POST",
            path: "/api/v1/schools/{id}/merge",
            targets: SCHOOLS,
            body: |w, t, _| {
                Some(
                    json!({"into_school_id": id_of(w, t), "effective_on": "2026-09-01", "reason": "整合"}),
                )
            },
            expect: |a, t| winds_down(a, t, 422),
        },
        Case {
            method: "POST",
            path: "/api/v1/schools/{id}/close",
            targets: SCHOOLS,
            body: |_, _, _| Some(json!({"effective_on": "2026-02-30", "reason": "撤销"})),
            expect: |a, t| winds_down(a, t, 422),
        },
        // No school of the world is closing: 409 `not_closing`.
        Case {
            method: "POST",
            path: "/api/v1/schools/{id}/reopen",
            targets: SCHOOLS,
            body: no_body,
            expect: |a, t| winds_down(a, t, 409),
        },
        // The world's schools are active: 409 `not_wound_up`.
        Case {
            method: "POST",
            path: "/api/v1/titles/{id}/settle",
            targets: &[OwnTitle, SiblingTitle, ForeignTitle],
            body: |_, _, _| Some(json!({"settlement": "kept"})),
            expect: |a, t| winds_down(a, t, 409),
        },
        Case {
            method: "GET",
            path: "/api/v1/provinces/{id}/standards-check",
            targets: &[OwnProvince, ForeignProvince],
            body: no_body,
            expect: read_province,
        },
        Case {
            method: "POST",
            path: "/api/v1/users",
            targets: &[OwnProvince, ForeignProvince],
            body: |w, t, n| {
                Some(
                    json!({"email": format!("new{n}@x.example"), "name": "New", "role": "reviewer", "password": PASSWORD, "province_id": id_of(w, t)}),
                )
            },
            expect: |a, t| {
                signed_in(
                    a,
                    match (a, t) {
                        (Admin, _) | (ProvinceAdmin, OwnProvince) => 201,
                        _ => 403,
                    },
                )
            },
        },
        Case {
            method: "GET",
            path: "/api/v1/users",
            targets: &[Nothing],
            body: no_body,
            expect: |a, _| {
                signed_in(
                    a,
                    if matches!(a, Admin | ProvinceAdmin) {
                        200
                    } else {
                        403
                    },
                )
            },
        },
        // A province admin reads their province's accounts' entries (tests/api/access.rs
        // checks which).
        Case {
            method: "GET",
            path: "/api/v1/access-log",
            targets: &[Nothing],
            body: no_body,
            expect: |a, _| {
                signed_in(
                    a,
                    if matches!(a, Admin | ProvinceAdmin) {
                        200
                    } else {
                        403
                    },
                )
            },
        },
        Case {
            method: "GET",
            path: "/api/v1/users/{id}",
            targets: &[Colleague, ForeignUser],
            body: no_body,
            expect: |a, t| {
                signed_in(
                    a,
                    match (a, t) {
                        (Admin, _) | (ProvinceAdmin, Colleague) => 200,
                        _ => 404,
                    },
                )
            },
        },
        Case {
            method: "PATCH",
            path: "/api/v1/users/{id}",
            targets: &[Colleague, ForeignUser],
            body: |_, _, _| Some(json!({"name": "colleague"})),
            expect: |a, t| {
                signed_in(
                    a,
                    match (a, t) {
                        (Admin, _) | (ProvinceAdmin, Colleague) => 200,
                        _ => 404,
                    },
                )
            },
        },
        Case {
            method: "POST",
            path: "/api/v1/title-types",
            targets: &[Nothing],
            body: |_, _, n| {
                Some(
                    json!({"code": format!("title_{n}"), "name": "Title", "level": "municipal", "awarding_body": "Bureau", "reevaluation_interval_months": 36}),
                )
            },
            expect: |a, _| signed_in(a, if a == Admin { 201 } else { 403 }),
        },
        Case {
            method: "GET",
            path: "/api/v1/title-types",
            targets: &[Nothing],
            body: no_body,
            expect: |a, _| signed_in(a, 200),
        },
        Case {
            method: "POST",
            path: "/api/v1/schools/{id}/titles",
            targets: SCHOOLS,
            body: |_, _, n| {
                Some(json!({"title_type_code": TITLE_CODES[n % 8], "awarded_on": "2005-06-30"}))
            },
            expect: |a, t| {
                signed_in(
                    a,
                    match (reads_school(a, t), a) {
                        (false, _) => 404,
                        (true, Admin | ProvinceAdmin) => 201,
                        (true, _) => 403,
                    },
                )
            },
        },
        Case {
            method: "GET",
            path: "/api/v1/schools/{id}/titles",
            targets: SCHOOLS,
            body: no_body,
            expect: read_record,
        },
        Case {
            method: "PATCH",
            path: "/api/v1/titles/{id}",
            targets: &[OwnTitle, SiblingTitle, ForeignTitle],
            body: |_, _, _| Some(json!({"status": "active"})),
            expect: |a, t| {
                signed_in(
                    a,
                    match (reads_school(a, school_of(t)), a) {
                        (false, _) => 404,
                        (true, Admin | ProvinceAdmin) => 200,
                        (true, _) => 403,
                    },
                )
            },
        },
        Case {
            method: "GET",
            path: "/api/v1/schools/{id}/certificate",
            targets: SCHOOLS,
            body: no_body,
            expect: read_record,
        },
        Case {
            method: "PUT",
            path: "/api/v1/schools/{id}/certificate",
            targets: SCHOOLS,
            body: |_, _, n| {
                Some(
                    json!({"standard": "ISO 9001:2015", "certification_body": "CQC", "certificate_number": format!("00124Q{n}"), "issued_on": "2024-04-01", "expires_on": "2027-03-31"}),
                )
            },
            expect: |a, t| write_record(a, t, 200),
        },
        Case {
            method: "PUT",
            path: "/api/v1/schools/{id}/indicators/{year}",
            targets: SCHOOLS,
            body: |_, _, _| Some(json!({"students": 4200, "teachers": 210, "computers": 300})),
            expect: |a, t| write_record(a, t, 201),
        },
        Case {
            method: "GET",
            path: "/api/v1/schools/{id}/indicators",
            targets: SCHOOLS,
            body: no_body,
            expect: read_record,
        },
        Case {
            method: "GET",
            path: "/api/v1/schools/{id}/history",
            targets: SCHOOLS,
            body: no_body,
            expect: read_record,
        },
        Case {
            method: "POST",
            path: "/api/v1/schools/{id}/audits",
            targets: SCHOOLS,
            body: |_, _, _| {
                Some(
                    json!({"kind": "surveillance", "standard": "ISO 9001:2015", "started_on": "2026-04-10"}),
                )
            },
            expect: |a, t| write_record(a, t, 201),
        },
        Case {
            method: "GET",
            path: "/api/v1/schools/{id}/audits",
            targets: SCHOOLS,
            body: no_body,
            expect: read_record,
        },
        Case {
            method: "GET",
            path: "/api/v1/audits/{id}",
            targets: AUDITS,
            body: no_body,
            expect: read_record,
        },
        Case {
            method: "PATCH",
            path: "/api/v1/audits/{id}",
            targets: AUDITS,
            body: |_, _, _| {
                Some(json!({"summary": "Two minor nonconformities; the system is effective."}))
            },
            expect: |a, t| write_record(a, t, 200),
        },
        Case {
            method: "POST",
            path: "/api/v1/audits/{id}/findings",
            targets: AUDITS,
            body: |_, _, _| {
                Some(
                    json!({"clause": "9.2.2", "grade": "observation", "description": "Audit programme lacks the training centre"}),
                )
            },
            expect: |a, t| write_record(a, t, 201),
        },
        Case {
            method: "GET",
            path: "/api/v1/audits/{id}/findings",
            targets: AUDITS,
            body: no_body,
            expect: read_record,
        },
        Case {
            method: "GET",
            path: "/api/v1/findings/{id}",
            targets: FINDINGS,
            body: no_body,
            expect: read_record,
        },
        Case {
            method: "PATCH",
            path: "/api/v1/findings/{id}",
            targets: FINDINGS,
            body: |_, _, _| {
                Some(json!({"description": "Calibration records of two CNC lathes are incomplete"}))
            },
            expect: |a, t| write_record(a, t, 200),
        },
        Case {
            method: "POST",
            path: "/api/v1/schools/{id}/submissions",
            targets: SCHOOLS,
            body: |w, _, _| {
                Some(
                    json!({"kind": "annual_quality_report", "title": "Annual quality report", "year": 2025, "audit_id": w.audits[0]}),
                )
            },
            expect: |a, t| officer_writes(a, t, 201),
        },
        Case {
            method: "GET",
            path: "/api/v1/submissions",
            targets: &[Nothing],
            body: no_body,
            expect: |a, _| signed_in(a, 200),
        },
        Case {
            method: "GET",
            path: "/api/v1/submissions/{id}",
            targets: DRAFTS,
            body: no_body,
            expect: read_record,
        },
        Case {
            method: "GET",
            path: "/api/v1/submissions/{id}/events",
            targets: SUBMITTED,
            body: no_body,
            expect: read_record,
        },
        Case {
            method: "POST",
            path: "/api/v1/submissions/{id}/evidence",
            targets: DRAFTS,
            body: no_body,
            expect: |a, t| officer_writes(a, t, 201),
        },
        Case {
            method: "GET",
            path: "/api/v1/evidence/{id}/content",
            targets: &[OwnEvidence, SiblingEvidence, ForeignEvidence],
            body: no_body,
            expect: read_record,
        },
        Case {
            method: "POST",
            path: "/api/v1/submissions/{id}/submit",
            targets: DRAFTS,
            body: |_, _, _| Some(json!({"version": 0})),
            expect: |a, t| step(a, t, officer_of_own),
        },
        Case {
            method: "POST",
            path: "/api/v1/submissions/{id}/withdraw",
            targets: DRAFTS,
            body: |_, _, _| Some(json!({"version": 0})),
            expect: |a, t| step(a, t, officer_of_own),
        },
        Case {
            method: "POST",
            path: "/api/v1/submissions/{id}/review",
            targets: SUBMITTED,
            body: |_, _, _| {
                Some(json!({"decision": "recommend", "comment": "Complete", "version": 0}))
            },
            expect: |a, t| step(a, t, province_reviewer),
        },
        Case {
            method: "POST",
            path: "/api/v1/submissions/{id}/sign-off",
            targets: RECOMMENDED,
            body: |_, _, _| {
                Some(json!({"decision": "approve", "comment": "Approved", "version": 0}))
            },
            expect: |a, t| step(a, t, province_head),
        },
        Case {
            method: "GET",
            path: "/api/v1/me/notifications",
            targets: &[Nothing],
            body: no_body,
            expect: |a, _| signed_in(a, 200),
        },
        Case {
            method: "POST",
            path: "/api/v1/me/notifications/read",
            targets: &[Nothing],
            body: no_body,
            expect: |a, _| signed_in(a, 204),
        },
        Case {
            method: "GET",
            path: "/api/v1/deadlines",
            targets: &[Nothing],
            body: no_body,
            expect: |a, _| signed_in(a, 200),
        },
        Case {
            method: "GET",
            path: "/api/v1/me/calendar",
            targets: &[Nothing],
            body: no_body,
            expect: |a, _| signed_in(a, 200),
        },
        Case {
            method: "POST",
            path: "/api/v1/me/calendar",
            targets: &[Nothing],
            body: no_body,
            expect: |a, _| signed_in(a, 200),
        },
        Case {
            method: "GET",
            path: "/api/v1/schools/{id}/peer-comparison",
            targets: SCHOOLS,
            body: no_body,
            expect: read_record,
        },
        Case {
            method: "POST",
            path: "/api/v1/provinces/{id}/programmes",
            targets: &[OwnProvince, ForeignProvince],
            body: |_, _, n| {
                Some(
                    json!({"name": format!("Double high {n}"), "title_type_code": "double_high_school", "target_count": 23, "target_date": "2023-12-31"}),
                )
            },
            expect: |a, t| {
                signed_in(
                    a,
                    match (a, t) {
                        (Admin, _) | (ProvinceAdmin, OwnProvince) => 201,
                        (_, ForeignProvince) => 404,
                        _ => 403,
                    },
                )
            },
        },
        Case {
            method: "GET",
            path: "/api/v1/provinces/{id}/programmes",
            targets: &[OwnProvince, ForeignProvince],
            body: no_body,
            expect: |a, t| {
                signed_in(
                    a,
                    if a == Admin || t == OwnProvince {
                        200
                    } else {
                        404
                    },
                )
            },
        },
        Case {
            method: "POST",
            path: "/api/v1/schools/{id}/consulting-grants",
            targets: SCHOOLS,
            body: |w, _, _| {
                Some(json!({"consultant_school_id": w.foreign_school, "until": "2026-12-31"}))
            },
            expect: |a, t| officer_writes(a, t, 201),
        },
        Case {
            method: "GET",
            path: "/api/v1/schools/{id}/consulting-grants",
            targets: SCHOOLS,
            body: no_body,
            expect: |a, t| officer_writes(a, t, 200),
        },
        Case {
            method: "GET",
            path: "/api/v1/indicators",
            targets: &[Nothing],
            body: no_body,
            expect: |a, _| signed_in(a, 200),
        },
        Case {
            method: "POST",
            path: "/api/v1/indicators",
            targets: &[Nothing],
            body: |_, _, n| {
                Some(
                    json!({"code": format!("indicator_{n}"), "name": "Sports grounds", "name_zh": "运动场数", "unit": "count", "kind": "whole", "min": 0}),
                )
            },
            expect: |a, _| signed_in(a, if a == Admin { 201 } else { 403 }),
        },
        Case {
            method: "POST",
            path: "/api/v1/provinces/{id}/rounds",
            targets: &[OwnProvince, ForeignProvince],
            body: |_, _, k| Some(json!({"year": 1950 + k, "due_on": "2026-09-30"})),
            expect: |a, t| head_of_province(a, t, 201),
        },
        Case {
            method: "GET",
            path: "/api/v1/provinces/{id}/rounds",
            targets: &[OwnProvince, ForeignProvince],
            body: no_body,
            expect: read_province,
        },
        Case {
            method: "GET",
            path: "/api/v1/rounds/{id}",
            targets: &[OwnRound, ForeignRound],
            body: no_body,
            expect: read_province,
        },
        Case {
            method: "PATCH",
            path: "/api/v1/programmes/{id}",
            targets: &[OwnProgramme, ForeignProgramme],
            body: |_, _, n| Some(json!({"name": format!("Double high, renamed {n}")})),
            expect: |a, t| head_of_province(a, t, 200),
        },
        Case {
            method: "POST",
            path: "/api/v1/standards",
            targets: &[Nothing],
            body: |_, _, n| Some(crate::world::standard_body(&format!("matrix_{n}"), 1)),
            expect: |a, _| {
                signed_in(
                    a,
                    if matches!(a, Admin | ProvinceAdmin) {
                        201
                    } else {
                        403
                    },
                )
            },
        },
        Case {
            method: "POST",
            path: "/api/v1/standards/import",
            targets: &[Nothing],
            body: no_body,
            // A file that is no workbook, without the fields: refused as such (422) once
            // the caller may write a standard.
            expect: |a, _| {
                signed_in(
                    a,
                    if matches!(a, Admin | ProvinceAdmin) {
                        422
                    } else {
                        403
                    },
                )
            },
        },
        Case {
            method: "GET",
            path: "/api/v1/standards",
            targets: &[Nothing],
            body: no_body,
            expect: |a, _| signed_in(a, 200),
        },
        Case {
            method: "GET",
            path: "/api/v1/standards/{id}",
            targets: &[NationalStandard, OwnStandard, ForeignStandard],
            body: no_body,
            // National standards for all; a province's for its people (and admins).
            expect: |a, t| {
                signed_in(
                    a,
                    match (a, t) {
                        (_, NationalStandard) | (Admin, _) | (_, OwnStandard) => 200,
                        _ => 404,
                    },
                )
            },
        },
        Case {
            method: "GET",
            path: "/api/v1/submissions/{id}/evaluation",
            targets: DRAFTS,
            body: no_body,
            // The world's drafts are audit reports: no evaluation, for anyone (404).
            expect: |a, _| signed_in(a, 404),
        },
        Case {
            method: "POST",
            path: "/api/v1/submissions/{id}/evaluation",
            targets: DRAFTS,
            body: |w, _, _| Some(json!({"standard_id": w.standards[0]})),
            // An audit report is scored against no standard: 422 for its officer.
            expect: |a, t| officer_writes(a, t, 422),
        },
        Case {
            method: "PUT",
            path: "/api/v1/submissions/{id}/evaluation/criteria/{ref}",
            targets: DRAFTS,
            body: |_, _, _| Some(json!({"self_score": 1})),
            // Its officer may change it, but it has no evaluation (404).
            expect: |a, t| officer_writes(a, t, 404),
        },
        Case {
            method: "GET",
            path: "/api/v1/submissions/{id}/panel",
            targets: EVALUATED,
            body: no_body,
            // The province's staff read the panel; the school's people may not (403).
            expect: |a, t| {
                signed_in(
                    a,
                    match (reads_school(a, school_of(t)), a) {
                        (false, _) => 404,
                        (true, Admin | ProvinceAdmin | Reviewer) => 200,
                        (true, _) => 403,
                    },
                )
            },
        },
        Case {
            method: "PUT",
            path: "/api/v1/submissions/{id}/panel",
            targets: EVALUATED,
            body: |w, _, _| Some(json!({"lead_id": w.colleague, "member_ids": []})),
            // The school's province admin (or an admin) forms it; a Fujian reviewer cannot
            // sit on a Zhejiang panel (422).
            expect: |a, t| {
                signed_in(
                    a,
                    match (reads_school(a, school_of(t)), a, t) {
                        (false, _, _) => 404,
                        (true, Admin, ForeignEvaluated) => 422,
                        (true, Admin | ProvinceAdmin, _) => 200,
                        (true, _, _) => 403,
                    },
                )
            },
        },
        Case {
            method: "PUT",
            path: "/api/v1/submissions/{id}/evaluation/criteria/{ref}/score",
            targets: EVALUATED,
            body: |_, _, _| Some(json!({"score": 1, "comment": "缺少佐证材料"})),
            // Only a member of the panel scores: none of the actors sits on one.
            expect: |a, t| step(a, t, |_, _| false),
        },
        Case {
            method: "POST",
            path: "/api/v1/submissions/{id}/evaluation/seal",
            targets: EVALUATED,
            body: no_body,
            expect: |a, t| step(a, t, |_, _| false),
        },
        Case {
            method: "PUT",
            path: "/api/v1/submissions/{id}/evaluation/criteria/{ref}/consensus",
            targets: EVALUATED,
            body: |_, _, _| Some(json!({"score": 1})),
            expect: |a, t| step(a, t, |_, _| false),
        },
        Case {
            method: "POST",
            path: "/api/v1/submissions/{id}/site-visit",
            targets: EVALUATED,
            body: |_, _, _| Some(json!({"started_on": "2026-06-10", "ended_on": "2026-06-09"})),
            // The school's province admin (or an admin) schedules it: a visit ending before
            // it starts is refused (422).
            expect: |a, t| {
                signed_in(
                    a,
                    match (reads_school(a, school_of(t)), a) {
                        (false, _) => 404,
                        (true, Admin | ProvinceAdmin) => 422,
                        (true, _) => 403,
                    },
                )
            },
        },
        Case {
            method: "GET",
            path: "/api/v1/me/conflicts",
            targets: &[Nothing],
            body: no_body,
            expect: |a, _| {
                signed_in(
                    a,
                    if matches!(a, Expert | Reviewer) {
                        200
                    } else {
                        403
                    },
                )
            },
        },
        Case {
            method: "POST",
            path: "/api/v1/me/conflicts",
            targets: &[Nothing],
            body: |w, _, _| {
                Some(json!({"school_id": w.sibling_school, "reason": "我曾在该校任教"}))
            },
            expect: |a, _| {
                signed_in(
                    a,
                    if matches!(a, Expert | Reviewer) {
                        201
                    } else {
                        403
                    },
                )
            },
        },
        Case {
            method: "POST",
            path: "/api/v1/provinces/{id}/notices",
            targets: &[OwnProvince, ForeignProvince],
            // An audit report is no evaluated application: refused (422) once one may publish.
            body: |w, _, _| {
                Some(
                    json!({"title": "2026 年评估结果公示", "submission_ids": [w.recommended[0]],
                    "opens_on": "2026-12-07", "closes_on": "2026-12-11"}),
                )
            },
            expect: |a, t| head_of_province(a, t, 422),
        },
        Case {
            method: "GET",
            path: "/api/v1/provinces/{id}/notices",
            targets: &[OwnProvince, ForeignProvince],
            body: no_body,
            expect: read_province,
        },
        Case {
            method: "GET",
            path: "/api/v1/notices/{id}",
            targets: &[Nothing],
            body: no_body,
            // Public: no notice 0 for anyone, signed in or not.
            expect: |_, _| 404,
        },
        Case {
            method: "POST",
            path: "/api/v1/notices/{id}/objections",
            targets: &[Nothing],
            body: |w, _, _| {
                Some(
                    json!({"submission_id": w.recommended[0], "name": "李明", "contact": "13800000000", "text": "材料不实"}),
                )
            },
            expect: |_, _| 404,
        },
        Case {
            method: "GET",
            path: "/api/v1/provinces/{id}/objections",
            targets: &[OwnProvince, ForeignProvince],
            body: no_body,
            // The province's staff read them; its schools' people and experts may not.
            expect: |a, t| {
                signed_in(
                    a,
                    match (of_province(a, t), a) {
                        (false, _) => 404,
                        (true, Admin | ProvinceAdmin | Reviewer) => 200,
                        (true, _) => 403,
                    },
                )
            },
        },
        Case {
            method: "POST",
            path: "/api/v1/objections/{id}/resolve",
            targets: &[Nothing],
            body: |_, _, _| Some(json!({"upheld": false, "resolution": "经核查，材料属实"})),
            expect: |a, _| signed_in(a, 404),
        },
        Case {
            method: "PATCH",
            path: "/api/v1/rounds/{id}",
            targets: &[OwnRound, ForeignRound],
            body: |_, _, _| Some(json!({"due_on": "2026-10-31"})),
            expect: |a, t| head_of_province(a, t, 200),
        },
        Case {
            method: "GET",
            path: "/api/v1/provinces/{id}/status-data/{year}",
            targets: &[OwnProvince, ForeignProvince],
            body: no_body,
            expect: read_province,
        },
        Case {
            method: "GET",
            path: "/api/v1/schools/{id}/status-data/{year}",
            targets: SCHOOLS,
            body: no_body,
            expect: read_record,
        },
        Case {
            method: "PUT",
            path: "/api/v1/schools/{id}/status-data/{year}",
            targets: SCHOOLS,
            body: |_, _, _| Some(json!({"figures": {"students": 4200, "teachers": 210}})),
            expect: |a, t| write_record(a, t, 201),
        },
        Case {
            method: "GET",
            path: "/api/v1/schools/{id}/status-data/{year}/template.xlsx",
            targets: SCHOOLS,
            body: no_body,
            expect: read_record,
        },
        Case {
            method: "POST",
            path: "/api/v1/schools/{id}/status-data/{year}/upload",
            targets: SCHOOLS,
            body: no_body,
            // A file that is no workbook: refused as such (422) once the caller may write.
            expect: |a, t| write_record(a, t, 422),
        },
        Case {
            method: "POST",
            path: "/api/v1/schools/{id}/status-data/{year}/reopen",
            targets: SCHOOLS,
            body: |_, _, _| Some(json!({"reason": "A figure was misreported"})),
            // The year is not locked: the province's head may try, and gets 409.
            expect: |a, t| {
                signed_in(
                    a,
                    match (reads_school(a, t), a) {
                        (false, _) => 404,
                        (true, Admin | ProvinceAdmin) => 409,
                        (true, _) => 403,
                    },
                )
            },
        },
        Case {
            method: "GET",
            path: "/api/v1/schools/{id}/annual-report/{year}",
            targets: SCHOOLS,
            body: no_body,
            expect: read_record,
        },
        Case {
            method: "PUT",
            path: "/api/v1/schools/{id}/annual-report/{year}",
            targets: SCHOOLS,
            body: |_, _, _| Some(json!({"highlights": "Three new training bases"})),
            expect: |a, t| write_record(a, t, 200),
        },
        Case {
            method: "POST",
            path: "/api/v1/schools/{id}/annual-report/{year}/attach",
            targets: SCHOOLS,
            body: no_body,
            expect: |a, t| officer_writes(a, t, 201),
        },
        // The province's group robots: its head manages them, its other people 403,
        // strangers 404.
        Case {
            method: "POST",
            path: "/api/v1/provinces/{id}/webhooks",
            targets: &[OwnProvince, ForeignProvince],
            body: |_, _, n| {
                Some(
                    json!({"kind": "wecom", "url": format!("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=m{n}"),
                    "events": ["digest.weekly"]}),
                )
            },
            expect: |a, t| head_of_province(a, t, 201),
        },
        Case {
            method: "GET",
            path: "/api/v1/provinces/{id}/webhooks",
            targets: &[OwnProvince, ForeignProvince],
            body: no_body,
            expect: |a, t| head_of_province(a, t, 200),
        },
        Case {
            method: "POST",
            path: "/api/v1/webhooks/{id}/test",
            targets: &[OwnRobot, ForeignRobot],
            body: no_body,
            expect: |a, t| head_of_province(a, robot_province(t), 200),
        },
        // The admin, asked first, removes it; after that it is gone for everyone (the
        // province admin's own removal is in tests/api/robots.rs).
        Case {
            method: "DELETE",
            path: "/api/v1/webhooks/{id}",
            targets: &[OwnRobot, ForeignRobot],
            body: no_body,
            expect: |a, _| match a {
                Anonymous => 401,
                Admin => 204,
                _ => 404,
            },
        },
        Case {
            method: "DELETE",
            path: "/api/v1/consulting-grants/{id}",
            targets: &[OwnGrant, SiblingGrant, ForeignGrant],
            body: no_body,
            expect: |a, t| officer_writes(a, t, 204),
        },
    ]
}

#[test]
fn every_registered_route_has_a_matrix_entry() {
    let cases = cases();
    let missing: Vec<String> = ROUTES
        .iter()
        .filter(|r| {
            !cases
                .iter()
                .any(|c| c.method == r.method.as_str() && c.path == r.path)
        })
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without an access matrix entry: {missing:?}"
    );
}

both_backends!(
    access_matrix_holds_for_every_route_role_and_tenant,
    lists_show_only_what_the_caller_may_see
);

async fn access_matrix_holds_for_every_route_role_and_tenant(app: TestApp) {
    let mut world = World::build(&app).await;
    world.with_applications(&app).await;
    world.with_robots(&app).await;
    let mut failures = Vec::new();
    let mut n = 0;
    for case in cases() {
        // Each request of a case has a year of its own (a case makes at most 21), and the
        // cases that write a school's year keep apart: the indicators from 1951, the status
        // data from 1981, the rest from 2006; so what one request writes never meets
        // another's, however many cases come before.
        let base = if case.path.contains("/indicators/") {
            1950
        } else if case.path.contains("/status-data/") {
            1980
        } else {
            2005
        };
        let mut k = 0;
        for &target in case.targets {
            for actor in Actor::ALL {
                n += 1;
                k += 1;
                let path = case
                    .path
                    .replace("{id}", &id_of(&world, target).to_string())
                    .replace("{year}", &(base + k).to_string());
                // Signing out ends the session it is called with: use a fresh one.
                let token = match (case.path, world.email(actor)) {
                    ("/api/v1/auth/logout", Some(email)) => Some(app.token(email).await),
                    _ => world.token(actor).map(str::to_owned),
                };
                let body = (case.body)(&world, target, k);
                let reply = if path.ends_with("/upload") || path.ends_with("/import") {
                    app.upload_to(&path, token.as_deref(), "figures.xlsx", b"not a workbook")
                        .await
                } else if path.ends_with("/evidence") {
                    match &token {
                        Some(token) => {
                            app.upload(
                                id_of(&world, target),
                                token,
                                "minutes.txt",
                                b"Minutes of the review meeting",
                            )
                            .await
                        }
                        None => app.send(case.method, &path, None, None).await,
                    }
                } else {
                    app.send(case.method, &path, token.as_deref(), body).await
                };
                let expected = (case.expect)(actor, target);
                if reply.status != expected {
                    failures.push(format!(
                        "{} {path} as {actor:?} on {target:?}: expected {expected}, got {} {}",
                        case.method, reply.status, reply.text
                    ));
                } else if expected >= 400 {
                    reply.error_code();
                }
                // Who may comes before what was sent: a body of the wrong shape gets the same
                // refusal (signing in has no one to ask first; where the body itself names
                // the province, as a new school or user does, a body that cannot be read
                // names none, and the role alone is asked).
                let named_by_path = case.path.contains("{id}") || target == Nothing;
                let sends_json = named_by_path
                    && matches!(case.method, "POST" | "PUT" | "PATCH")
                    && !(path.ends_with("/upload")
                        || path.ends_with("/import")
                        || path.ends_with("/evidence")
                        || case.path == "/api/v1/auth/login");
                if sends_json && matches!(expected, 401 | 403 | 404) {
                    let malformed = app
                        .send(case.method, &path, token.as_deref(), Some(json!([1])))
                        .await;
                    if malformed.status != expected {
                        failures.push(format!(
                            "{} {path} as {actor:?} on {target:?} with a body of the wrong \
                             shape: expected {expected}, got {} {}",
                            case.method, malformed.status, malformed.text
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n} answers differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

async fn lists_show_only_what_the_caller_may_see(app: TestApp) {
    let world = World::build(&app).await;
    for actor in [Admin, ProvinceAdmin, Reviewer, QualityOfficer, SchoolViewer] {
        let token = world.token(actor);
        let schools = app.send("GET", "/api/v1/schools", token, None).await.json();
        let mut ids: Vec<i64> = schools
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect();
        ids.sort();
        let expected: Vec<i64> = match actor {
            Admin => vec![world.school, world.sibling_school, world.foreign_school],
            ProvinceAdmin | Reviewer => vec![world.school, world.sibling_school],
            _ => vec![world.school],
        };
        assert_eq!(ids, expected, "schools seen by {actor:?}");
        // Filtering by a foreign province finds nothing rather than an error.
        let foreign = app
            .send(
                "GET",
                &format!("/api/v1/schools?province_id={}", world.other_province),
                token,
                None,
            )
            .await
            .json();
        let n = foreign.as_array().unwrap().len();
        assert_eq!(
            n,
            usize::from(actor == Admin),
            "{actor:?} filtering by the foreign province"
        );
    }
    let users = app
        .send("GET", "/api/v1/users", world.token(ProvinceAdmin), None)
        .await
        .json();
    for user in users.as_array().unwrap() {
        assert_eq!(
            user["province_id"].as_i64(),
            Some(world.province),
            "province admin sees {user}"
        );
        assert!(user.get("password_hash").is_none());
    }
}
