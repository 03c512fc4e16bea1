//! `accredit demo`: a demonstration data set built from the seeds. Fujian (Fuzhou No.2
//! Senior Technical School, its titles, its quality-management system and its consulting
//! role), Zhejiang (Wenzhou's action plan and schools) and Henan (the Zhenping jade-carving
//! school and its honours); audits, findings and submissions in every state; one user per
//! role. It goes through the same store functions as the application, so everything lands
//! in the history. A second run finds the data and changes nothing.

use time::macros::date;
use time::{Date, PrimitiveDateTime};

mod integration;
mod panels;

use crate::auth::password::hash_password;
use crate::clock::now_utc;
use crate::config::Settings;
use crate::db::{Db, DbConn};
use crate::domain::access::Access;
use crate::domain::clause::ClauseNumber;
use crate::domain::indicators::Indicators;
use crate::domain::quality::{AuditKind, FindingGrade, FindingStatus};
use crate::domain::workflow::{Action, ReviewDecision, SignOffDecision, SubmissionKind};
use crate::domain::{EmailAddress, NewPassword, PersonName, Role, SchoolKind};
use crate::store::schools::School;
use crate::store::{
    audits, certificates, findings, programmes, provinces, schools, status_data, submissions,
    titles, users,
};

/// The password of every demonstration account (printed; change it before real use).
pub const DEMO_PASSWORD: &str = "accredit-demo-2026";

/// The accounts the demo prints, in order.
const ACCOUNTS: [(&str, &str, Role); 8] = [
    (
        "admin@demo.accredit.cn",
        "演示运维 Demo operator",
        Role::Admin,
    ),
    (
        "bureau@fj.demo.accredit.cn",
        "林处长 Director Lin (Fujian bureau)",
        Role::ProvinceAdmin,
    ),
    (
        "reviewer@fj.demo.accredit.cn",
        "王评审 Reviewer Wang",
        Role::Reviewer,
    ),
    (
        "officer@fz2.demo.accredit.cn",
        "陈老师 Officer Chen (Fuzhou No.2)",
        Role::QualityOfficer,
    ),
    (
        "principal@fz2.demo.accredit.cn",
        "张校长 Principal Zhang",
        Role::SchoolViewer,
    ),
    (
        "expert-li@fj.demo.accredit.cn",
        "李教授 Professor Li (expert)",
        Role::Expert,
    ),
    (
        "expert-zhao@fj.demo.accredit.cn",
        "赵高工 Senior Engineer Zhao (expert)",
        Role::Expert,
    ),
    (
        "expert-sun@fj.demo.accredit.cn",
        "孙督学 Inspector Sun (expert)",
        Role::Expert,
    ),
];

/// What every part of the data set is written with.
struct Ctx {
    operator: Access,
    now: PrimitiveDateTime,
    today: Date,
    /// the demonstration password, hashed once
    hash: String,
}

#[derive(Clone, Copy)]
struct Provinces {
    fj: i64,
    zj: i64,
    ha: i64,
}

struct Schools {
    fz2: School,
    xm: School,
    qz: School,
    wz1: School,
    wz2: School,
    zp: School,
}

/// The Fujian people who act on Fuzhou No.2's submissions.
struct People {
    officer: Access,
    reviewer: Access,
    bureau: Access,
    /// the province's three experts: Li, Zhao, Sun
    experts: Vec<i64>,
}

/// What the submissions are about.
struct Record {
    key: i64,
    certification: i64,
    surveillance: i64,
    f1: i64,
}

fn step(message: &str) {
    println!("  · {message}");
}

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

pub fn run(settings: &Settings) -> anyhow::Result<()> {
    // Two connections: the evidence bucket records its uploads on the second.
    let db = Db::connect(&settings.database_url, 2)?;
    db.migrate()?;
    let mut conn = db.get().map_err(err)?;
    let conn: &mut DbConn = &mut conn;
    // The operator account is created last: if it exists, the data set is complete.
    let marker = users::find_credentials(conn, ACCOUNTS[0].0).map_err(err)?;
    if marker.is_some() {
        println!("The demonstration data set is already loaded; nothing changed.");
        print_accounts();
        return Ok(());
    }
    println!("Loading the demonstration data set…");
    let now = now_utc();
    let today = crate::clock::Clock {
        fixed_today: settings.today,
    }
    .today();
    let operator = Access::operator(today);
    let hash = hash_password(
        &NewPassword::parse(DEMO_PASSWORD).map_err(err)?,
        settings.password_hashing,
    )?;

    let ctx = Ctx {
        operator,
        now,
        today,
        hash,
    };
    let places = provinces(&ctx, conn)?;
    let schools = the_schools(&ctx, conn, &places)?;
    let people = people(&ctx, conn, places.fj, &schools)?;
    let key = titles(&ctx, conn, &schools)?;
    let record = quality_system(&ctx, conn, &schools, &people, key)?;
    accepted_before(&ctx, conn, &schools)?;
    fuzhou_years(&ctx, conn, places.fj, &schools, &people)?;
    example_standard(&ctx, conn)?;
    submissions_in_every_state(&ctx, conn, settings, &db, &schools, &people, &record)?;
    let quanzhou = consulting(&ctx, conn, &schools)?;
    panels::evaluations(&ctx, conn, settings, &db, &schools, &people, &quanzhou)?;
    plans(&ctx, conn, &places)?;
    integration::merger(&ctx, conn, places.fj, &schools)?;

    step("the operator account");
    let (email, name, role) = ACCOUNTS[0];
    let new = users::NewUser {
        email: EmailAddress::parse(email).map_err(err)?,
        name: PersonName::parse(name).map_err(err)?,
        role,
        province_id: None,
        school_id: None,
        valid_until: None,
        password_change_required: false,
    };
    users::create(conn, &ctx.operator, &new, &ctx.hash).map_err(err)?;
    println!("Done.");
    print_accounts();
    Ok(())
}

fn provinces(ctx: &Ctx, conn: &mut DbConn) -> anyhow::Result<Provinces> {
    let operator = &ctx.operator;
    step("provinces: Fujian, Zhejiang, Henan");
    let mut province_ids = Vec::new();
    for (code, name, zh) in [
        ("FJ", "Fujian", "福建省"),
        ("ZJ", "Zhejiang", "浙江省"),
        ("HA", "Henan", "河南省"),
    ] {
        let existing = provinces::find_by_code(conn, code).map_err(err)?;
        let province = match existing {
            Some(p) => p,
            None => provinces::create(
                conn,
                operator,
                &provinces::NewProvince {
                    code: code.into(),
                    name: name.into(),
                    name_zh: Some(zh.into()),
                },
            )
            .map_err(err)?,
        };
        province_ids.push(province.id);
    }
    let (fj, zj, ha) = (province_ids[0], province_ids[1], province_ids[2]);
    Ok(Provinces { fj, zj, ha })
}

fn the_schools(ctx: &Ctx, conn: &mut DbConn, places: &Provinces) -> anyhow::Result<Schools> {
    let (operator, now) = (&ctx.operator, ctx.now);
    let Provinces { fj, zj, ha } = *places;
    step("schools");
    let school =
        |conn: &mut DbConn, province_id, name: &str, zh: &str, city: &str, kind, founded| {
            crate::app::write(conn, operator, |conn, journal| {
                schools::create(
                    conn,
                    journal,
                    operator,
                    &schools::NewSchool {
                        province_id,
                        name: name.into(),
                        name_zh: Some(zh.into()),
                        city: city.into(),
                        kind,
                        founded_year: Some(founded),
                    },
                    now,
                )
            })
            .map_err(err)
        };
    let fz2 = school(
        conn,
        fj,
        "Fuzhou No.2 Senior Technical School",
        "福州第二高级技工学校",
        "Fuzhou",
        SchoolKind::SeniorTechnicalSchool,
        1978,
    )?;
    let xm = school(
        conn,
        fj,
        "Xiamen Technician College",
        "厦门技师学院",
        "Xiamen",
        SchoolKind::TechnicianCollege,
        1985,
    )?;
    let qz = school(
        conn,
        fj,
        "Quanzhou Technical School",
        "泉州技工学校",
        "Quanzhou",
        SchoolKind::TechnicalSchool,
        1992,
    )?;
    let wz1 = school(
        conn,
        zj,
        "Wenzhou Secondary Vocational School No.1",
        "温州第一中等职业学校",
        "Wenzhou",
        SchoolKind::SecondaryVocational,
        1980,
    )?;
    let wz2 = school(
        conn,
        zj,
        "Wenzhou Industry and Trade School",
        "温州工贸学校",
        "Wenzhou",
        SchoolKind::SecondaryVocational,
        1983,
    )?;
    let zp = school(
        conn,
        ha,
        "Zhenping Jade Carving Vocational School",
        "镇平县玉雕职业学校",
        "Zhenping",
        SchoolKind::SecondaryVocational,
        1988,
    )?;
    Ok(Schools {
        fz2,
        xm,
        qz,
        wz1,
        wz2,
        zp,
    })
}

fn people(ctx: &Ctx, conn: &mut DbConn, fj: i64, schools: &Schools) -> anyhow::Result<People> {
    let operator = &ctx.operator;
    let (hash, fz2) = (&ctx.hash, &schools.fz2);
    step("people, one per role");
    let mut access_of = std::collections::HashMap::new();
    let mut experts = Vec::new();
    for (email, name, role) in ACCOUNTS.iter().skip(1) {
        let (province_id, school_id) = match role.attachment() {
            crate::domain::role::Attachment::School => (None, Some(fz2.id)),
            crate::domain::role::Attachment::Province
            | crate::domain::role::Attachment::ProvinceAndHomeSchool => (Some(fj), None),
            crate::domain::role::Attachment::Nothing => (None, None),
        };
        let new = users::NewUser {
            email: EmailAddress::parse(email).map_err(err)?,
            name: PersonName::parse(name).map_err(err)?,
            role: *role,
            province_id,
            school_id,
            valid_until: None,
            password_change_required: false,
        };
        let user = users::create(conn, operator, &new, hash).map_err(err)?;
        if *role == Role::Expert {
            experts.push(user.id);
        }
        access_of.insert(*role, user.access(ctx.today));
    }
    let second_bureau = users::NewUser {
        email: EmailAddress::parse("deputy@fj.demo.accredit.cn").map_err(err)?,
        name: PersonName::parse("黄副处长 Deputy Huang (Fujian bureau)").map_err(err)?,
        role: Role::ProvinceAdmin,
        province_id: Some(fj),
        school_id: None,
        valid_until: None,
        password_change_required: false,
    };
    users::create(conn, operator, &second_bureau, hash).map_err(err)?;
    let officer = access_of[&Role::QualityOfficer].clone();
    let reviewer = access_of[&Role::Reviewer].clone();
    let bureau = access_of[&Role::ProvinceAdmin].clone();
    Ok(People {
        officer,
        reviewer,
        bureau,
        experts,
    })
}

fn titles(ctx: &Ctx, conn: &mut DbConn, schools: &Schools) -> anyhow::Result<i64> {
    let (operator, now, today) = (&ctx.operator, ctx.now, ctx.today);
    let Schools {
        fz2,
        xm,
        wz1,
        wz2,
        zp,
        ..
    } = schools;
    step("titles and their re-evaluations");
    let holding = |conn: &mut DbConn, school_id, code: &str, awarded, evaluated| {
        crate::app::write(conn, operator, |conn, journal| {
            titles::award(
                conn,
                journal,
                operator,
                school_id,
                &titles::NewHolding {
                    title_type_code: code.into(),
                    awarded_on: awarded,
                    last_evaluated_on: evaluated,
                },
                today,
                now,
            )
        })
        .map_err(err)
    };
    let key = holding(
        conn,
        fz2.id,
        "national_key_technical_school",
        date!(1996 - 09 - 01),
        Some(date!(2005 - 06 - 30)),
    )?;
    holding(
        conn,
        fz2.id,
        "national_vocational_training_base",
        date!(1998 - 10 - 01),
        Some(date!(2022 - 10 - 15)),
    )?;
    holding(
        conn,
        fz2.id,
        "migrant_workers_training_base",
        date!(2008 - 05 - 01),
        Some(date!(2023 - 11 - 15)),
    )?;
    holding(
        conn,
        fz2.id,
        "electrical_electronic_training_base",
        date!(2010 - 03 - 01),
        Some(date!(2024 - 02 - 29)),
    )?;
    holding(
        conn,
        xm.id,
        "national_key_technical_school",
        date!(2001 - 09 - 01),
        Some(date!(2022 - 04 - 01)),
    )?;
    holding(
        conn,
        wz1.id,
        "double_high_school",
        date!(2021 - 09 - 01),
        None,
    )?;
    holding(
        conn,
        wz2.id,
        "double_high_school",
        date!(2022 - 09 - 01),
        None,
    )?;
    holding(
        conn,
        wz2.id,
        "industry_education_training_base",
        date!(2022 - 12 - 01),
        None,
    )?;
    holding(
        conn,
        zp.id,
        "national_key_secondary_vocational_school",
        date!(2010 - 09 - 01),
        None,
    )?;
    holding(
        conn,
        zp.id,
        "provincial_demonstration_vocational_school",
        date!(2012 - 06 - 01),
        Some(date!(2021 - 06 - 01)),
    )?;
    holding(
        conn,
        zp.id,
        "rural_labor_transfer_training_base",
        date!(2009 - 05 - 01),
        Some(date!(2023 - 05 - 01)),
    )?;
    Ok(key.id)
}

fn quality_system(
    ctx: &Ctx,
    conn: &mut DbConn,
    schools: &Schools,
    people: &People,
    key: i64,
) -> anyhow::Result<Record> {
    let now = ctx.now;
    let (fz2, officer) = (&schools.fz2, &people.officer);
    step("the quality-management system of Fuzhou No.2: certificate, audits, findings");
    crate::app::write(conn, officer, |conn, journal| {
        certificates::put(
            conn,
            journal,
            officer,
            fz2.id,
            &certificates::CertificateFields {
                standard: "ISO 9001:2015".into(),
                certification_body: "中国质量认证中心".into(),
                certificate_number: "00124Q31542R2M".into(),
                scope: Some("职业教育、职业技能培训与鉴定".into()),
                issued_on: date!(2024 - 04 - 01),
                expires_on: date!(2027 - 03 - 31),
            },
            now,
        )
    })
    .map_err(err)?;
    let audit = |conn: &mut DbConn, kind, started, body: &str, summary: &str| {
        crate::app::write(conn, officer, |conn, journal| {
            audits::create(
                conn,
                journal,
                officer,
                fz2.id,
                &audits::AuditFields {
                    kind,
                    standard: "ISO 9001:2015".into(),
                    started_on: started,
                    ended_on: Some(started + time::Duration::days(2)),
                    lead_auditor: Some("陈静 Chen Jing".into()),
                    auditing_body: Some(body.into()),
                    scope: Some("全校各教学系部、实训中心及职业技能鉴定站".into()),
                    summary: Some(summary.into()),
                },
                now,
            )
        })
        .map_err(err)
    };
    let certification = audit(
        conn,
        AuditKind::CertificationStage2,
        date!(2024 - 03 - 11),
        "中国质量认证中心",
        "通过认证；开具两项一般不符合。",
    )?;
    let surveillance = audit(
        conn,
        AuditKind::Surveillance,
        date!(2025 - 03 - 17),
        "中国质量认证中心",
        "监督审核：体系保持有效运行。",
    )?;
    let internal = audit(
        conn,
        AuditKind::Internal,
        date!(2025 - 11 - 10),
        "质量管理办公室",
        "数控与电气实训车间内部审核。",
    )?;
    let finding = |conn: &mut DbConn, audit_id, clause: &str, grade, text: &str, due| {
        crate::app::write(conn, officer, |conn, journal| {
            findings::create(
                conn,
                journal,
                officer,
                audit_id,
                &findings::NewFinding {
                    clause: ClauseNumber::parse(clause).map_err(err)?,
                    grade,
                    description: text.into(),
                    due_on: due,
                },
                now,
            )
        })
        .map_err(err)
    };
    let f1 = finding(
        conn,
        certification.id,
        "7.1.5",
        FindingGrade::MinorNc,
        "数控车床量具的校准记录不完整",
        Some(date!(2024 - 06 - 30)),
    )?;
    finding(
        conn,
        certification.id,
        "9.2.2",
        FindingGrade::Observation,
        "内审方案尚未覆盖职业技能鉴定站",
        None,
    )?;
    let f3 = finding(
        conn,
        internal.id,
        "8.5.1",
        FindingGrade::MajorNc,
        "数控实训未按书面作业指导书开展",
        Some(date!(2026 - 01 - 31)),
    )?;
    finding(
        conn,
        internal.id,
        "7.2",
        FindingGrade::MinorNc,
        "两名新进教师缺少能力评价记录",
        Some(date!(2026 - 02 - 28)),
    )?;
    finding(
        conn,
        surveillance.id,
        "10.3",
        FindingGrade::Ofi,
        "建议将毕业生就业质量调查结果纳入管理评审输入",
        None,
    )?;
    let plan = findings::FindingPatch {
        status: Some(FindingStatus::ActionPlanned),
        root_cause: Some("实训车间量具未制定校准计划".into()),
        action: Some("建立量具校准台账并制定年度校准计划".into()),
        owner: Some("实训车间主任 林".into()),
        action_due_on: Some(date!(2024 - 06 - 15)),
        ..findings::FindingPatch::default()
    };
    crate::app::write(conn, officer, |conn, journal| {
        findings::update(conn, journal, officer, f1.id, &plan, now)
    })
    .map_err(err)?;
    let close = findings::FindingPatch {
        status: Some(FindingStatus::Closed),
        action_done_on: Some(date!(2024 - 06 - 10)),
        ..findings::FindingPatch::default()
    };
    crate::app::write(conn, officer, |conn, journal| {
        findings::update(conn, journal, officer, f1.id, &close, now)
    })
    .map_err(err)?;
    let plan3 = findings::FindingPatch {
        status: Some(FindingStatus::ActionPlanned),
        root_cause: Some("新购数控车床到校时未同步编写作业指导书".into()),
        action: Some("为每个数控工位编写、审批作业指导书并完成培训".into()),
        owner: Some("实训中心主任".into()),
        action_due_on: Some(date!(2026 - 01 - 31)),
        ..findings::FindingPatch::default()
    };
    crate::app::write(conn, officer, |conn, journal| {
        findings::update(conn, journal, officer, f3.id, &plan3, now)
    })
    .map_err(err)?;
    Ok(Record {
        key,
        certification: certification.id,
        surveillance: surveillance.id,
        f1: f1.id,
    })
}

fn accepted_before(ctx: &Ctx, conn: &mut DbConn, schools: &Schools) -> anyhow::Result<()> {
    let (operator, now) = (&ctx.operator, ctx.now);
    let Schools {
        fz2,
        xm,
        qz,
        wz1,
        wz2,
        zp,
    } = schools;
    step("the school year: accepted figures, Fujian's 2026 round, Fuzhou No.2 half-way");
    // The first nine figures, as schools recorded them before the yearly rounds.
    let nine = |students,
                teachers,
                appraisers,
                campus,
                building,
                equipment,
                computers,
                graduates,
                training| Indicators {
        students: Some(students),
        teachers: Some(teachers),
        senior_appraisers: appraisers,
        campus_area_m2: Some(campus),
        building_area_m2: Some(building),
        equipment_value_cny: Some(equipment),
        computers: Some(computers),
        graduates: Some(graduates),
        training_person_times: training,
    };
    // The seeds' figures of 2006 (more than 30 senior appraisers, more than 300 computers,
    // 2,091 training and appraisal person-times) and the other schools' 2025: accepted by
    // their provinces before they used accredit.
    let accepted_before = [
        (
            fz2.id,
            2006,
            nine(
                3900,
                190,
                Some(30),
                98_000,
                61_000,
                21_000_000,
                300,
                1250,
                Some(2091),
            ),
        ),
        (
            xm.id,
            2025,
            nine(
                5100,
                260,
                Some(28),
                180_000,
                90_000,
                58_000_000,
                900,
                1600,
                Some(5200),
            ),
        ),
        (
            qz.id,
            2025,
            nine(
                1500,
                70,
                Some(8),
                28_000,
                16_500,
                2_700_000,
                260,
                480,
                Some(900),
            ),
        ),
        (
            wz1.id,
            2025,
            nine(2600, 150, None, 52_000, 30_000, 9_500_000, 500, 820, None),
        ),
        (
            wz2.id,
            2025,
            nine(1900, 92, None, 38_500, 23_000, 4_100_000, 380, 600, None),
        ),
        (
            zp.id,
            2025,
            nine(
                2300,
                118,
                Some(12),
                61_000,
                35_000,
                7_800_000,
                420,
                760,
                Some(3100),
            ),
        ),
    ];
    for (school_id, year, figures) in accepted_before {
        crate::app::write(conn, operator, |conn, journal| {
            status_data::put_nine(conn, journal, operator, school_id, year, &figures, now)
        })
        .map_err(err)?;
        crate::app::write(conn, operator, |conn, journal| {
            status_data::lock(conn, journal, operator, school_id, year, None, now)
        })
        .map_err(err)?;
    }
    Ok(())
}

/// Fuzhou No.2's figures of 2024, every indicator of the catalogue.
const FZ2_2024: &[(&str, f64)] = &[
    ("students", 3900.0),
    ("enrolled", 1350.0),
    ("graduates", 1290.0),
    ("graduates_employed", 1245.0),
    ("graduates_employed_in_field", 1010.0),
    ("teachers", 205.0),
    ("dual_qualified_teachers", 118.0),
    ("part_time_industry_teachers", 46.0),
    ("senior_appraisers", 32.0),
    ("programmes_offered", 24.0),
    ("campus_area_m2", 120_000.0),
    ("building_area_m2", 72_000.0),
    ("equipment_value_cny", 41_000_000.0),
    ("training_workstations", 2300.0),
    ("computers", 780.0),
    ("library_books", 118_000.0),
    ("training_person_times", 6100.0),
    ("appraisal_person_times", 2400.0),
    ("appraisal_passes", 2150.0),
    ("enterprise_agreements", 20.0),
];

/// Fuzhou No.2's figures of 2025, every indicator of the catalogue.
const FZ2_2025: &[(&str, f64)] = &[
    ("students", 4200.0),
    ("enrolled", 1420.0),
    ("graduates", 1380.0),
    ("graduates_employed", 1340.0),
    ("graduates_employed_in_field", 1090.0),
    ("teachers", 210.0),
    ("dual_qualified_teachers", 126.0),
    ("part_time_industry_teachers", 52.0),
    ("senior_appraisers", 34.0),
    ("programmes_offered", 26.0),
    ("campus_area_m2", 120_000.0),
    ("building_area_m2", 75_000.0),
    ("equipment_value_cny", 46_000_000.0),
    ("training_workstations", 2450.0),
    ("computers", 820.0),
    ("library_books", 126_000.0),
    ("training_person_times", 6600.0),
    ("appraisal_person_times", 2600.0),
    ("appraisal_passes", 2330.0),
    ("enterprise_agreements", 32.0),
];

fn fuzhou_years(
    ctx: &Ctx,
    conn: &mut DbConn,
    fj: i64,
    schools: &Schools,
    people: &People,
) -> anyhow::Result<()> {
    let (operator, now, today) = (&ctx.operator, ctx.now, ctx.today);
    let fz2 = &schools.fz2;
    let People {
        officer,
        reviewer,
        bureau,
        ..
    } = people;
    // Fuzhou No.2 with every figure of the catalogue: 2024 accepted, 2025 through the round.
    let full = |values: &[(&str, f64)]| -> status_data::StatusInput {
        status_data::StatusInput {
            figures: Some(
                values
                    .iter()
                    .map(|(c, v)| ((*c).to_owned(), Some(*v)))
                    .collect(),
            ),
            explanations: None,
            version: None,
        }
    };
    let fz2_2024 = full(FZ2_2024);
    crate::app::write(conn, operator, |conn, journal| {
        status_data::put(conn, journal, operator, fz2.id, 2024, &fz2_2024, now)
    })
    .map_err(err)?;
    crate::app::write(conn, operator, |conn, journal| {
        status_data::lock(conn, journal, operator, fz2.id, 2024, None, now)
    })
    .map_err(err)?;
    let round = |conn: &mut DbConn, year, due_on| {
        crate::app::write(conn, bureau, |conn, journal| {
            crate::store::rounds::create(
                conn,
                journal,
                bureau,
                fj,
                &crate::store::rounds::NewRound {
                    year,
                    due_on,
                    change_threshold_pct: crate::domain::status_data::DEFAULT_CHANGE_THRESHOLD_PCT,
                },
                now,
            )
        })
        .map_err(err)
    };
    let round_2025 = round(conn, 2025, date!(2026 - 03 - 31))?;
    let fz2_2025 = full(FZ2_2025);
    crate::app::write(conn, officer, |conn, journal| {
        status_data::put(conn, journal, officer, fz2.id, 2025, &fz2_2025, now)
    })
    .map_err(err)?;
    let flagged = status_data::read(conn, officer, fz2.id, 2025)
        .map_err(err)?
        .unexplained();
    let explanations = flagged
        .into_iter()
        .map(|code| {
            let why = match code.as_str() {
                "enterprise_agreements" => {
                    "2025 年与福州电梯、数控机床企业新签 12 项订单式培养协议。"
                }
                _ => "已核实，数据准确。",
            };
            (code, why.to_owned())
        })
        .collect();
    let explain = status_data::StatusInput {
        figures: None,
        explanations: Some(explanations),
        version: None,
    };
    crate::app::write(conn, officer, |conn, journal| {
        status_data::put(conn, journal, officer, fz2.id, 2025, &explain, now)
    })
    .map_err(err)?;
    let year_2025 = crate::app::write(conn, officer, |conn, journal| {
        submissions::create(
            conn,
            journal,
            officer,
            fz2.id,
            &submissions::NewSubmission {
                kind: SubmissionKind::StatusData,
                title: "2025 年办学状态数据 / Status data 2025".into(),
                summary: None,
                subject: submissions::Subject {
                    year: Some(2025),
                    ..Default::default()
                },
            },
            now,
        )
    })
    .map_err(err)?
    .submission
    .id;
    for (who, action, comment) in [
        (&officer, Action::Submit, None),
        (
            &reviewer,
            Action::Review(ReviewDecision::Recommend),
            Some("数据完整，变动已说明。"),
        ),
        (
            &bureau,
            Action::SignOff(SignOffDecision::Approve),
            Some("确认，封账。"),
        ),
    ] {
        crate::app::submissions::step(conn, who, year_2025, action, comment, None, today, now)
            .map_err(err)?;
    }
    crate::app::write(conn, bureau, |conn, journal| {
        crate::store::rounds::update(
            conn,
            journal,
            bureau,
            round_2025.id,
            &crate::store::rounds::RoundPatch {
                closed: Some(true),
                ..Default::default()
            },
            now,
        )
    })
    .map_err(err)?;
    crate::app::write(conn, officer, |conn, journal| status_data::put_report_sections(conn, journal,
        officer,
        fz2.id,
        2025,
        &status_data::ReportSections {
            highlights: Some(
                "学校牵头全省技工院校质量管理体系建设，作为咨询单位帮助泉州技工学校建立体系。\n\n新签订单式培养协议 12 项，校企合作协议达到 32 项；毕业生就业率 97%，对口就业率 81%。\n\n职业技能鉴定 2,600 人次，合格率接近 90%。"
                    .into(),
            ),
            problems: Some(
                "数控车床校准记录不完整（监督审核发现的轻微不符合项），已建立校准登记制度并完成整改。\n\n“双师型”教师占比 60%，实训指导教师仍显不足；2026 年计划从合作企业聘请 10 名兼职教师，并安排 20 名专任教师下企业实践。"
                    .into(),
            ),
        },
        now,
    ))
    .map_err(err)?;
    // This year's round is open; Fuzhou No.2 has entered eight of its figures.
    round(conn, 2026, date!(2027 - 03 - 31))?;
    let half_way = full(&[
        ("students", 4350.0),
        ("enrolled", 1480.0),
        ("teachers", 214.0),
        ("dual_qualified_teachers", 131.0),
        ("programmes_offered", 27.0),
        ("campus_area_m2", 120_000.0),
        ("building_area_m2", 75_000.0),
        ("equipment_value_cny", 48_500_000.0),
    ]);
    crate::app::write(conn, officer, |conn, journal| {
        status_data::put(conn, journal, officer, fz2.id, 2026, &half_way, now)
    })
    .map_err(err)?;
    Ok(())
}

fn submissions_in_every_state(
    ctx: &Ctx,
    conn: &mut DbConn,
    settings: &Settings,
    db: &Db,
    schools: &Schools,
    people: &People,
    record: &Record,
) -> anyhow::Result<()> {
    let today = ctx.today;
    let fz2 = &schools.fz2;
    let People {
        officer,
        reviewer,
        bureau,
        ..
    } = people;
    step("submissions in every state");
    let desk = Desk {
        ctx,
        storage: crate::evidence::open_storage(&settings.evidence, db)?,
        officer,
        school_id: fz2.id,
    };
    let draft = desk.prepare(
        conn,
        SubmissionKind::AnnualQualityReport,
        "2025 年度质量报告",
        submissions::Subject {
            year: Some(2025),
            ..Default::default()
        },
    )?;
    // The 2025 report, generated from the record, attached to its submission as evidence.
    let gathered = crate::store::annual_report::gather(
        conn,
        officer,
        &crate::app::kept::Kept::new().peers,
        fz2.id,
        2025,
        today,
    )
    .map_err(err)?;
    let view = crate::report::view(&gathered, crate::domain::lang::Lang::ZhCn);
    let docx = crate::report::docx::write(&view).map_err(err)?;
    desk.attach(
        conn,
        draft,
        "2025-annual-quality-report.docx",
        crate::report::docx::CONTENT_TYPE,
        docx,
    )?;
    let reeval = desk.prepare(
        conn,
        SubmissionKind::TitleReevaluation,
        "国家重点技工学校复评",
        submissions::Subject {
            school_title_id: Some(record.key),
            ..Default::default()
        },
    )?;
    desk.evidence(conn, reeval, "self-evaluation-report.pdf")?;
    // Its self-evaluation against the example standard, half done: the draft waits.
    self_evaluate_half(ctx, conn, officer, reeval)?;
    let application = desk.prepare(
        conn,
        SubmissionKind::TitleApplication,
        "申报：“双高”学校",
        submissions::Subject {
            title_type_code: Some("double_high_school".into()),
            ..Default::default()
        },
    )?;
    desk.evidence(conn, application, "double-high-application.pdf")?;
    desk.act(conn, officer, application, Action::Submit, None)?;
    let report = desk.prepare(
        conn,
        SubmissionKind::AuditReport,
        "2025 年监督审核报告",
        submissions::Subject {
            audit_id: Some(record.surveillance),
            ..Default::default()
        },
    )?;
    desk.evidence(conn, report, "surveillance-audit-2025.pdf")?;
    desk.act(conn, officer, report, Action::Submit, None)?;
    desk.act(
        conn,
        reviewer,
        report,
        Action::Review(ReviewDecision::Recommend),
        Some("复评报告完整，审核发现均已整改。"),
    )?;
    let closure = desk.prepare(
        conn,
        SubmissionKind::CorrectiveActionClosure,
        "量具校准不符合项关闭",
        submissions::Subject {
            finding_id: Some(record.f1),
            ..Default::default()
        },
    )?;
    desk.evidence(conn, closure, "calibration-register.pdf")?;
    desk.act(conn, officer, closure, Action::Submit, None)?;
    desk.act(
        conn,
        reviewer,
        closure,
        Action::Review(ReviewDecision::Recommend),
        Some("校准台账自 2024 年 6 月起已建立并运行。"),
    )?;
    desk.act(
        conn,
        bureau,
        closure,
        Action::SignOff(SignOffDecision::Approve),
        Some("已核实。"),
    )?;
    let changes = desk.prepare(
        conn,
        SubmissionKind::AuditReport,
        "Certification audit report 2024",
        submissions::Subject {
            audit_id: Some(record.certification),
            ..Default::default()
        },
    )?;
    desk.evidence(conn, changes, "certification-audit-2024.pdf")?;
    desk.act(conn, officer, changes, Action::Submit, None)?;
    desk.act(
        conn,
        reviewer,
        changes,
        Action::Review(ReviewDecision::RequestChanges),
        Some("请补充审核组开具的不符合报告。"),
    )?;
    let rejected = desk.prepare(
        conn,
        SubmissionKind::TitleApplication,
        "申报：省级示范性职业学校",
        submissions::Subject {
            title_type_code: Some("provincial_demonstration_vocational_school".into()),
            ..Default::default()
        },
    )?;
    desk.evidence(conn, rejected, "application.pdf")?;
    desk.act(conn, officer, rejected, Action::Submit, None)?;
    desk.act(
        conn,
        reviewer,
        rejected,
        Action::Review(ReviewDecision::Reject),
        Some("技工学校请按技师学院渠道申报。"),
    )?;
    let withdrawn = desk.prepare(
        conn,
        SubmissionKind::AnnualQualityReport,
        "2024 年度质量报告（重复提交）",
        submissions::Subject {
            year: Some(2024),
            ..Default::default()
        },
    )?;
    desk.act(conn, officer, withdrawn, Action::Withdraw, None)?;
    Ok(())
}

/// Fuzhou No.2's officer preparing submissions: drafts, their evidence, their steps.
struct Desk<'a> {
    ctx: &'a Ctx,
    storage: std::sync::Arc<dyn crate::evidence::EvidenceStorage>,
    officer: &'a Access,
    school_id: i64,
}

impl Desk<'_> {
    fn attach(
        &self,
        conn: &mut DbConn,
        id: i64,
        name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> anyhow::Result<()> {
        use sha2::Digest;
        let sha256 = format!("{:x}", sha2::Sha256::digest(&bytes));
        let mut staged = self.storage.stage()?;
        staged.write_all(&bytes)?;
        self.storage.commit(staged, &sha256)?;
        let file = submissions::NewEvidence {
            filename: name.into(),
            content_type: content_type.into(),
            size_bytes: bytes.len() as i64,
            sha256,
            description: Some("演示文件".into()),
        };
        crate::app::write(conn, self.officer, |conn, journal| {
            submissions::add_evidence(conn, journal, self.officer, id, &file, self.ctx.now)
        })
        .map_err(err)?;
        Ok(())
    }

    /// A one-page PDF standing in for a scanned document.
    fn evidence(&self, conn: &mut DbConn, id: i64, name: &str) -> anyhow::Result<()> {
        let bytes =
            format!("%PDF-1.4\n% accredit demonstration document: {name}\n%%EOF\n").into_bytes();
        self.attach(conn, id, name, "application/pdf", bytes)
    }

    fn prepare(
        &self,
        conn: &mut DbConn,
        kind: SubmissionKind,
        title: &str,
        subject: submissions::Subject,
    ) -> anyhow::Result<i64> {
        // Through the use case, so that an application is evaluated as the pages' would be.
        let new = submissions::NewSubmission {
            kind,
            title: title.into(),
            summary: None,
            subject,
        };
        crate::app::submissions::create(
            conn,
            self.officer,
            self.school_id,
            || Ok(new),
            self.ctx.now,
        )
        .map_err(err)
        .map(|s| s.submission.id)
    }

    fn act(
        &self,
        conn: &mut DbConn,
        who: &Access,
        id: i64,
        action: Action,
        comment: Option<&str>,
    ) -> anyhow::Result<()> {
        let (today, now) = (self.ctx.today, self.ctx.now);
        crate::app::submissions::step(conn, who, id, action, comment, None, today, now)
            .map_err(err)?;
        Ok(())
    }
}

/// The example standard's groups and items: (ref, parent, name, 中文, points; none: a group,
/// or with `veto` a veto item).
type ExampleCriterion = (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    Option<f64>,
    bool,
);

const EXAMPLE_CRITERIA: &[ExampleCriterion] = &[
    ("1", None, "School conditions", "办学条件", None, false),
    (
        "1.1",
        Some("1"),
        "Campus area",
        "校园面积",
        Some(6.0),
        false,
    ),
    (
        "1.2",
        Some("1"),
        "Building area",
        "建筑面积",
        Some(5.0),
        false,
    ),
    (
        "1.3",
        Some("1"),
        "Training equipment",
        "实训设备总值",
        Some(8.0),
        false,
    ),
    ("1.4", Some("1"), "Library", "图书资料", Some(3.0), false),
    (
        "1.5",
        Some("1"),
        "Computers for teaching",
        "教学用计算机",
        Some(3.0),
        false,
    ),
    ("2", None, "Teachers", "师资队伍", None, false),
    (
        "2.1",
        Some("2"),
        "Full-time teachers",
        "专任教师数量",
        Some(6.0),
        false,
    ),
    (
        "2.2",
        Some("2"),
        "Dual-qualified share",
        "“双师型”教师比例",
        Some(8.0),
        false,
    ),
    (
        "2.3",
        Some("2"),
        "Part-time teachers from industry",
        "企业兼职教师",
        Some(6.0),
        false,
    ),
    (
        "3",
        None,
        "Teaching and quality management",
        "教学与质量管理",
        None,
        false,
    ),
    (
        "3.1",
        Some("3"),
        "Programmes offered",
        "专业设置",
        Some(5.0),
        false,
    ),
    (
        "3.2",
        Some("3"),
        "Teaching plans",
        "教学计划与实施",
        Some(5.0),
        false,
    ),
    (
        "3.3",
        Some("3"),
        "Quality-management system",
        "质量管理体系运行",
        Some(10.0),
        false,
    ),
    (
        "4",
        None,
        "Training and skills appraisal",
        "培训与技能鉴定",
        None,
        false,
    ),
    (
        "4.1",
        Some("4"),
        "Social training",
        "社会培训人次",
        Some(8.0),
        false,
    ),
    (
        "4.2",
        Some("4"),
        "Appraisal pass rate",
        "鉴定合格率",
        Some(6.0),
        false,
    ),
    (
        "4.3",
        Some("4"),
        "School-enterprise cooperation",
        "校企合作",
        Some(6.0),
        false,
    ),
    ("5", None, "Outcomes", "办学效益", None, false),
    (
        "5.1",
        Some("5"),
        "Employment rate",
        "毕业生就业率",
        Some(8.0),
        false,
    ),
    (
        "5.2",
        Some("5"),
        "Employment in the trained field",
        "对口就业率",
        Some(7.0),
        false,
    ),
    ("6", None, "Veto items", "否决项", None, false),
    (
        "6.1",
        Some("6"),
        "No major safety accident in three years",
        "三年内无重大安全责任事故",
        None,
        true,
    ),
    (
        "6.2",
        Some("6"),
        "No irregular enrolment or fees",
        "无违规招生和乱收费",
        None,
        true,
    ),
];

/// An example national standard for the National Key Technical School (marked as one):
/// six groups, eighteen items of which two veto items, 100 points, 85 to pass.
fn example_standard(ctx: &Ctx, conn: &mut DbConn) -> anyhow::Result<()> {
    step("an example evaluation standard for the National Key Technical School");
    let input = crate::app::standards::StandardInput {
        code: "nkts_example".into(),
        version: 1,
        name: "National Key Technical School evaluation (example)".into(),
        name_zh: Some("国家重点技工学校评估标准（示例）".into()),
        title_type_code: Some("national_key_technical_school".into()),
        pass_points: 85.0,
        province_id: None,
        criteria: EXAMPLE_CRITERIA
            .iter()
            .map(
                |(r, parent, name, zh, points, veto)| crate::app::standards::CriterionInput {
                    reference: (*r).into(),
                    parent_ref: parent.map(Into::into),
                    name: (*name).into(),
                    name_zh: Some((*zh).into()),
                    max_points: *points,
                    veto: Some(*veto),
                    guidance: points
                        .map(|p| format!("按评估细则评分，满分 {p} 分；每项不达标扣 1 分")),
                    evidence_expected: Some("相关台账、证书及统计表".into()),
                },
            )
            .collect(),
    };
    crate::app::standards::create(conn, &ctx.operator, &input, ctx.now).map_err(err)?;
    Ok(())
}

/// Fuzhou No.2's self-assessment of the first nine items of its re-evaluation.
fn self_evaluate_half(
    ctx: &Ctx,
    conn: &mut DbConn,
    officer: &Access,
    id: i64,
) -> anyhow::Result<()> {
    let scores: [(&str, f64, Option<&str>); 8] = [
        ("1.1", 6.0, None),
        ("1.2", 5.0, None),
        ("1.3", 7.5, Some("部分数控设备使用年限超过十年")),
        ("1.4", 3.0, None),
        ("1.5", 3.0, None),
        ("2.1", 6.0, None),
        ("2.2", 7.0, Some("“双师型”教师比例 60%，低于 65% 的要求")),
        ("2.3", 5.5, Some("兼职教师 52 人，部分未签订聘用协议")),
    ];
    for (reference, score, note) in scores {
        let input = crate::app::evaluations::SelfAssessmentInput {
            self_score: Some(Some(score)),
            self_note: note.map(|n| Some(n.to_owned())),
            ..Default::default()
        };
        crate::app::evaluations::self_assess(conn, officer, id, reference, &input, ctx.now)
            .map_err(err)?;
    }
    let veto = crate::app::evaluations::SelfAssessmentInput {
        self_met: Some(Some(true)),
        ..Default::default()
    };
    crate::app::evaluations::self_assess(conn, officer, id, "6.1", &veto, ctx.now).map_err(err)?;
    Ok(())
}

/// Fuzhou No.2 as Quanzhou's consulting unit; answers Quanzhou's quality officer.
fn consulting(ctx: &Ctx, conn: &mut DbConn, schools: &Schools) -> anyhow::Result<Access> {
    let (operator, now, today) = (&ctx.operator, ctx.now, ctx.today);
    let (hash, fz2, qz) = (&ctx.hash, &schools.fz2, &schools.qz);
    step("Fuzhou No.2 as consulting unit of Quanzhou Technical School");
    let quanzhou_officer = users::NewUser {
        email: EmailAddress::parse("officer@qz.demo.accredit.cn").map_err(err)?,
        name: PersonName::parse("刘老师 Officer Liu (Quanzhou)").map_err(err)?,
        role: Role::QualityOfficer,
        province_id: None,
        school_id: Some(qz.id),
        valid_until: None,
        password_change_required: false,
    };
    let quanzhou = users::create(conn, operator, &quanzhou_officer, hash)
        .map_err(err)?
        .access(today);
    let consulting = crate::store::grants::NewGrant {
        consultant_school_id: fz2.id,
        until: date!(2027 - 12 - 31),
        include_evidence: false,
    };
    crate::app::write(conn, &quanzhou, |conn, journal| {
        crate::store::grants::create(conn, journal, &quanzhou, qz.id, &consulting, today, now)
    })
    .map_err(err)?;
    Ok(quanzhou)
}

fn plans(ctx: &Ctx, conn: &mut DbConn, places: &Provinces) -> anyhow::Result<()> {
    let (operator, today) = (&ctx.operator, ctx.today);
    let Provinces { fj, zj, .. } = *places;
    step("Wenzhou's three-year action plan, and a Fujian target");
    let plans = [
        (
            zj,
            "到 2023 年建成 23 所“双高”中职学校（温州市 2021—2023 年行动计划）",
            Some("double_high_school"),
            None,
            23,
            date!(2023 - 12 - 31),
        ),
        (
            zj,
            "到 2023 年建成 30 个产教融合实训基地",
            Some("industry_education_training_base"),
            None,
            30,
            date!(2023 - 12 - 31),
        ),
        (
            fj,
            "全省技工学校校园面积均达到 30,000 平方米",
            None,
            Some(("campus_area_m2", 30_000)),
            3,
            date!(2027 - 12 - 31),
        ),
    ];
    for (province, name, title, indicator, target_count, target_date) in plans {
        let plan = programmes::NewProgramme {
            name: name.into(),
            title_type_code: title.map(Into::into),
            indicator: indicator.map(|(i, _)| i.into()),
            threshold: indicator.map(|(_, t)| t),
            target_count,
            target_date,
        };
        programmes::create(conn, operator, province, &plan, today).map_err(err)?;
    }
    Ok(())
}

fn print_accounts() {
    println!("\nDemonstration accounts (password for all: {DEMO_PASSWORD}):");
    for (email, name, role) in ACCOUNTS {
        println!("  {:<16} {email:<34} {name}", role.as_str());
    }
    println!(
        "  {:<16} {:<34} the second signer (four eyes)",
        "province_admin", "deputy@fj.demo.accredit.cn"
    );
}
