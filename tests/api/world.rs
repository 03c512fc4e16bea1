//! A small province world for access tests: two provinces, three schools, and a signed-in
//! client for every role, plus people of the other province to attempt to reach.

use accredit::auth::Access;
use accredit::auth::password::hash_password;
use accredit::config::PasswordHashing;
use accredit::domain::{EmailAddress, NewPassword, PersonName, Role};
use accredit::store::users::{self, NewUser};
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

pub const PASSWORD: &str = "correct horse battery";

/// Who makes a request in the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    Admin,
    ProvinceAdmin,
    Reviewer,
    QualityOfficer,
    SchoolViewer,
    /// An expert of the actors' province, on no panel.
    Expert,
}

impl Actor {
    pub const ALL: [Actor; 7] = [
        Actor::Anonymous,
        Actor::Admin,
        Actor::ProvinceAdmin,
        Actor::Reviewer,
        Actor::QualityOfficer,
        Actor::SchoolViewer,
        Actor::Expert,
    ];
}

pub struct World {
    /// Fujian: the actors' province.
    pub province: i64,
    /// Zhejiang: a foreign province.
    pub other_province: i64,
    /// The officer's and viewer's school (Fujian).
    pub school: i64,
    /// Another school of Fujian.
    pub sibling_school: i64,
    /// A school of Zhejiang.
    pub foreign_school: i64,
    /// A reviewer of Fujian who is none of the actors.
    pub colleague: i64,
    /// A province admin of Zhejiang.
    pub foreign_user: i64,
    /// An audit of each school: own, sibling, foreign.
    pub audits: [i64; 3],
    /// A finding of each of those audits.
    pub findings: [i64; 3],
    /// A title held by each school.
    pub titles: [i64; 3],
    /// Per school (own, sibling, foreign): a draft with one evidence file, a submitted and a
    /// recommended submission, and that evidence file.
    pub drafts: [i64; 3],
    pub submitted: [i64; 3],
    pub recommended: [i64; 3],
    pub evidence: [i64; 3],
    /// A consulting grant given by each school (own → sibling, sibling → foreign,
    /// foreign → sibling), so that none reaches the actors' own school.
    pub grants: [i64; 3],
    /// A collection round of 2026 in each province: Fujian's, Zhejiang's.
    pub rounds: [i64; 2],
    /// A programme of each province: Fujian's, Zhejiang's.
    pub programmes: [i64; 2],
    /// An evaluation standard: national, Fujian's, Zhejiang's.
    pub standards: [i64; 3],
    /// Per school (own, sibling, foreign): a submitted title application with its
    /// self-evaluation complete; none until `with_applications` makes them.
    pub evaluated: [i64; 3],
    /// A group robot of each province (`with_robots`): own, foreign.
    pub robots: [i64; 2],
    pub tokens: Vec<(Actor, String)>,
    pub emails: Vec<(Actor, String)>,
}

/// A small standard for the national vocational training bases (a title no other test
/// applies for): two groups of scored items and a veto item, 30 points, 18 to pass.
pub fn standard_body(code: &str, version: i64) -> Value {
    json!({
        "code": code, "version": version,
        "name": "National Vocational Training Base evaluation", "name_zh": "国家级职业培训基地评估标准",
        "title_type_code": "national_vocational_training_base", "pass_points": 18,
        "criteria": [
            {"ref": "1", "name": "Conditions", "name_zh": "办学条件"},
            {"ref": "1.1", "parent_ref": "1", "name": "Campus area", "max_points": 10, "guidance": "每少 1,000 平方米扣 1 分", "evidence_expected": "土地证"},
            {"ref": "1.2", "parent_ref": "1", "name": "Training equipment", "max_points": 7.5},
            {"ref": "2", "name": "Teaching", "name_zh": "教学管理", "max_points": 12.5},
            {"ref": "2.1", "parent_ref": "2", "name": "Dual-qualified teachers", "max_points": 12.5},
            {"ref": "3", "name": "No major safety accident in three years", "name_zh": "三年内无重大安全事故", "veto": true}
        ]
    })
}

/// Creates the first admin directly in the database, as `accredit user create` would.
pub fn create_admin(app: &TestApp, email: &str) {
    let db = app.db();
    let mut conn = db.get().unwrap();
    let cheap = PasswordHashing {
        memory_kib: 64,
        iterations: 1,
        lanes: 1,
    };
    let hash = hash_password(&NewPassword::parse(PASSWORD).unwrap(), cheap).unwrap();
    let admin = NewUser {
        email: EmailAddress::parse(email).unwrap(),
        name: PersonName::parse("运维 Operator").unwrap(),
        role: Role::Admin,
        province_id: None,
        school_id: None,
        valid_until: None,
        password_change_required: false,
    };
    users::create(
        &mut conn,
        &Access::operator(accredit::domain::dates::EARLIEST),
        &admin,
        &hash,
    )
    .unwrap();
}

impl TestApp {
    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.send(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({"email": email, "password": password})),
        )
        .await
    }

    pub async fn token(&self, email: &str) -> String {
        let reply = self.login(email, PASSWORD).await;
        assert_eq!(reply.status, 200, "login {email}: {}", reply.text);
        reply.json()["token"].as_str().unwrap().to_owned()
    }

    /// Uploads one evidence file to a submission, as a browser's form would.
    pub async fn upload(
        &self,
        submission: i64,
        token: &str,
        filename: &str,
        bytes: &[u8],
    ) -> Reply {
        let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(filename.to_owned());
        let form = reqwest::multipart::Form::new()
            .part("file", part)
            .text("description", "uploaded by a test");
        let response = self
            .client
            .post(self.url(&format!("/api/v1/submissions/{submission}/evidence")))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        }
    }

    /// Posts one file as multipart field `file` to any path, with an optional token.
    pub async fn upload_to(
        &self,
        path: &str,
        token: Option<&str>,
        filename: &str,
        bytes: &[u8],
    ) -> Reply {
        let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(filename.to_owned());
        let mut request = self
            .client
            .post(self.url(path))
            .multipart(reqwest::multipart::Form::new().part("file", part));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("upload");
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        }
    }

    /// A JSON request with an optional bearer token.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.send_with(method, path, token, body, &[]).await
    }

    /// `send` with extra headers, e.g. `Accept-Language`.
    pub async fn send_with(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.client.request(method, self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        }
    }
}

impl World {
    /// The province admin awards the school the National Key Technical School title, last
    /// evaluated on `last_evaluated_on`; answers the date its re-evaluation falls due.
    pub async fn award_key_school(&self, app: &TestApp, last_evaluated_on: &str) -> time::Date {
        let reply = app
            .send(
                "POST",
                &format!("/api/v1/schools/{}/titles", self.school),
                self.token(Actor::ProvinceAdmin),
                Some(serde_json::json!({"title_type_code": "national_key_technical_school", "awarded_on": "1998-03-01", "last_evaluated_on": last_evaluated_on})),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        time::Date::parse(
            reply.json()["next_reevaluation_due"].as_str().unwrap(),
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .unwrap()
    }

    pub async fn build(app: &TestApp) -> World {
        create_admin(app, "admin@accredit.example");
        let admin_token = app.token("admin@accredit.example").await;
        let admin = app.with_token(&admin_token);
        let province = admin
            .create_province(json!({"code": "FJ", "name": "Fujian", "name_zh": "福建省"}))
            .await
            .id();
        let other_province = admin
            .create_province(json!({"code": "ZJ", "name": "Zhejiang", "name_zh": "浙江省"}))
            .await
            .id();
        let school_body = |p: i64, name: &str, zh: &str, city: &str| json!({"province_id": p, "name": name, "name_zh": zh, "city": city, "kind": "senior_technical_school", "founded_year": 1958});
        let school = admin
            .create_school(school_body(
                province,
                "Fuzhou No.2 Senior Technical School",
                "福州第二高级技工学校",
                "Fuzhou",
            ))
            .await
            .id();
        let sibling_school = admin
            .create_school(school_body(
                province,
                "Xiamen Technician College",
                "厦门技师学院",
                "Xiamen",
            ))
            .await
            .id();
        let foreign_school = admin
            .create_school(school_body(
                other_province,
                "Wenzhou Secondary Vocational School",
                "温州中等职业学校",
                "Wenzhou",
            ))
            .await
            .id();
        let user = |email: &str, role: &str, p: Option<i64>, s: Option<i64>| json!({"email": email, "name": email.split('@').next().unwrap(), "role": role, "password": PASSWORD, "province_id": p, "school_id": s});
        let mut emails = vec![(Actor::Admin, "admin@accredit.example".to_owned())];
        for (actor, email, role, p, s) in [
            (
                Actor::ProvinceAdmin,
                "pa@fj.example",
                "province_admin",
                Some(province),
                None,
            ),
            (
                Actor::Reviewer,
                "reviewer@fj.example",
                "reviewer",
                Some(province),
                None,
            ),
            (
                Actor::QualityOfficer,
                "officer@fz2.example",
                "quality_officer",
                None,
                Some(school),
            ),
            (
                Actor::SchoolViewer,
                "viewer@fz2.example",
                "school_viewer",
                None,
                Some(school),
            ),
            (
                Actor::Expert,
                "expert@fj.example",
                "expert",
                Some(province),
                None,
            ),
        ] {
            admin.create_user(user(email, role, p, s)).await.id();
            emails.push((actor, email.to_owned()));
        }
        let colleague = admin
            .create_user(user(
                "colleague@fj.example",
                "reviewer",
                Some(province),
                None,
            ))
            .await
            .id();
        let foreign_user = admin
            .create_user(user(
                "pa@zj.example",
                "province_admin",
                Some(other_province),
                None,
            ))
            .await
            .id();
        let mut audits = [0; 3];
        let mut findings = [0; 3];
        let mut titles = [0; 3];
        for (i, school) in [school, sibling_school, foreign_school]
            .into_iter()
            .enumerate()
        {
            audits[i] = admin.add_audit(school, json!({"kind": "internal", "standard": "ISO 9001:2015", "started_on": "2026-03-02", "ended_on": "2026-03-04", "lead_auditor": "陈静"})).await.id();
            findings[i] = admin.add_finding(audits[i], json!({"clause": "7.1.5", "grade": "minor_nc", "description": "Calibration records of the CNC lathes are incomplete", "due_on": "2026-05-31"})).await.id();
            titles[i] = admin.award_title(school, json!({"title_type_code": "provincial_demonstration_vocational_school", "awarded_on": "2012-09-01"})).await.id();
        }
        let mut tokens = Vec::new();
        for (actor, email) in &emails {
            tokens.push((*actor, app.token(email).await));
        }
        // Every school prepares three submissions; its province reviews one of them.
        let officer = tokens
            .iter()
            .find(|(a, _)| *a == Actor::QualityOfficer)
            .unwrap()
            .1
            .clone();
        let reviewer = tokens
            .iter()
            .find(|(a, _)| *a == Actor::Reviewer)
            .unwrap()
            .1
            .clone();
        let others = [
            ("officer@xiamen.example", sibling_school, reviewer.clone()),
            ("officer@wenzhou.example", foreign_school, String::new()),
        ];
        let mut officers = vec![(officer, school, reviewer)];
        for (email, school_id, reviewer) in others {
            admin
                .create_user(user(email, "quality_officer", None, Some(school_id)))
                .await
                .id();
            officers.push((app.token(email).await, school_id, reviewer));
        }
        officers[2].2 = app.token("pa@zj.example").await;
        let (mut drafts, mut submitted, mut recommended, mut evidence) =
            ([0; 3], [0; 3], [0; 3], [0; 3]);
        for (i, (officer, school_id, reviewer)) in officers.iter().enumerate() {
            let mut ids = [0; 3];
            for (n, id) in ids.iter_mut().enumerate() {
                *id = app.with_token(officer).prepare(school_id, json!({"kind": "audit_report", "title": format!("Internal audit report {n}"), "audit_id": audits[i]})).await.id();
                let reply = app
                    .upload(*id, officer, "report.pdf", b"%PDF-1.7\n% audit report\n")
                    .await;
                assert_eq!(reply.status, 201, "{}", reply.text);
                if n == 0 {
                    evidence[i] = reply.json()["id"].as_i64().unwrap();
                }
            }
            for id in &ids[1..] {
                let reply = app.with_token(officer).submit(*id).await;
                assert_eq!(reply.status, 200, "{}", reply.text);
            }
            let reply = app
                .with_token(reviewer)
                .recommend(ids[2], "Complete and consistent")
                .await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            (drafts[i], submitted[i], recommended[i]) = (ids[0], ids[1], ids[2]);
        }
        let mut grants = [0; 3];
        let consultants = [sibling_school, foreign_school, sibling_school];
        for (i, (officer, school_id, _)) in officers.iter().enumerate() {
            grants[i] = app
                .with_token(officer)
                .give_grant(
                    school_id,
                    json!({"consultant_school_id": consultants[i], "until": "2026-12-31"}),
                )
                .await
                .id();
        }
        let fujian_head = tokens
            .iter()
            .find(|(a, _)| *a == Actor::ProvinceAdmin)
            .unwrap()
            .1
            .clone();
        let mut rounds = [0; 2];
        for (i, (p, head)) in [(province, &fujian_head), (other_province, &officers[2].2)]
            .into_iter()
            .enumerate()
        {
            rounds[i] = app
                .with_token(head)
                .open_round(p, json!({"year": 2026, "due_on": "2026-09-30"}))
                .await
                .id();
        }
        let mut programmes = [0; 2];
        for (i, (p, head)) in [(province, &fujian_head), (other_province, &officers[2].2)]
            .into_iter()
            .enumerate()
        {
            programmes[i] = app.with_token(head).add_programme(p, json!({"name": "Double high schools", "title_type_code": "double_high_school", "target_count": 5, "target_date": "2027-12-31"})).await.id();
        }
        // An evaluation standard: national (the admin's), Fujian's and Zhejiang's.
        let mut standards = [0; 3];
        for (i, (token, code)) in [
            (&admin_token, "nvtb_national"),
            (&fujian_head, "nvtb_fujian"),
            (&officers[2].2, "nvtb_zhejiang"),
        ]
        .into_iter()
        .enumerate()
        {
            standards[i] = app
                .with_token(token)
                .create_standard(standard_body(code, 1))
                .await
                .id();
        }
        World {
            province,
            other_province,
            rounds,
            programmes,
            standards,
            evaluated: [0; 3],
            robots: [0; 2],
            school,
            sibling_school,
            foreign_school,
            colleague,
            foreign_user,
            audits,
            findings,
            titles,
            drafts,
            submitted,
            recommended,
            evidence,
            grants,
            tokens,
            emails,
        }
    }

    /// Makes `robots`: a WeCom robot of each province, told of the weekly digest.
    pub async fn with_robots(&mut self, app: &TestApp) {
        let admin = self.token(Actor::Admin).unwrap().to_owned();
        for (i, province) in [self.province, self.other_province].into_iter().enumerate() {
            self.robots[i] = app.with_token(&admin).add_robot(province, json!({"kind": "wecom", "url": format!("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=w{i}"),
                        "events": ["digest.weekly"]})).await.id();
        }
    }

    /// Makes `evaluated`: each school applies for the title the world's standards score,
    /// assesses every item of its evaluation and hands it in.
    pub async fn with_applications(&mut self, app: &TestApp) {
        let schools = [self.school, self.sibling_school, self.foreign_school];
        for (i, school) in schools.into_iter().enumerate() {
            let officer = match i {
                0 => self.token(Actor::QualityOfficer).unwrap().to_owned(),
                1 => app.token("officer@xiamen.example").await,
                _ => app.token("officer@wenzhou.example").await,
            };
            let officer = app.with_token(&officer);
            let id = officer.prepare(school, json!({"kind": "title_application", "title": "申报国家级职业培训基地", "title_type_code": "national_vocational_training_base"})).await.id();
            let file = officer
                .upload_evidence(id, "土地证.pdf", b"%PDF-1.7\n% land\n")
                .await;
            assert_eq!(file.status, 201, "{}", file.text);
            for (r, body) in [
                (
                    "1.1",
                    json!({"self_score": 8, "self_note": "校园面积缺 2,000 平方米"}),
                ),
                ("1.2", json!({"self_score": 7.5})),
                ("2.1", json!({"self_score": 12.5})),
                ("3", json!({"self_met": true})),
            ] {
                let reply = officer
                    .put(
                        &format!("/api/v1/submissions/{id}/evaluation/criteria/{r}"),
                        body,
                    )
                    .await;
                assert_eq!(reply.status, 200, "{}", reply.text);
            }
            let reply = officer.submit(id).await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            self.evaluated[i] = id;
        }
    }

    /// The token of a Fujian school's quality officer (the world's school or its sibling).
    pub async fn officer_of(&self, app: &TestApp, school: i64) -> String {
        if school == self.school {
            self.token(Actor::QualityOfficer).unwrap().to_owned()
        } else if school == self.sibling_school {
            app.token("officer@xiamen.example").await
        } else {
            panic!("school {school} has no officer in Fujian")
        }
    }

    /// Takes a Fujian school's year through the whole round as people would: the bureau
    /// opens the round (once), the officer enters the figures and explains any flag, submits,
    /// the reviewer recommends and the province admin approves; the year is then locked.
    pub async fn accept_year(&self, app: &TestApp, school: i64, year: i32, figures: Value) {
        let (pa, reviewer) = (
            self.token(Actor::ProvinceAdmin).unwrap(),
            self.token(Actor::Reviewer).unwrap(),
        );
        let officer = self.officer_of(app, school).await;
        let round = app
            .with_token(pa)
            .open_round(
                self.province,
                json!({"year": year, "due_on": format!("{}-09-30", year + 1)}),
            )
            .await;
        assert!(matches!(round.status, 201 | 409), "{}", round.text);
        let path = format!("/api/v1/schools/{school}/status-data/{year}");
        let saved = app
            .send(
                "PUT",
                &path,
                Some(&officer),
                Some(json!({"figures": figures})),
            )
            .await;
        assert!(matches!(saved.status, 200 | 201), "{}", saved.text);
        let flagged: Vec<String> = saved.json()["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_owned())
            .collect();
        if !flagged.is_empty() {
            let explanations: serde_json::Map<String, Value> = flagged
                .into_iter()
                .map(|code| (code, json!("Explained by the test")))
                .collect();
            let explained = app
                .send(
                    "PUT",
                    &path,
                    Some(&officer),
                    Some(json!({"explanations": explanations})),
                )
                .await;
            assert_eq!(explained.status, 200, "{}", explained.text);
        }
        let submission = app.with_token(&officer).prepare(school, json!({"kind": "status_data", "title": format!("Status data {year}"), "year": year})).await.id();
        for (token, step, body) in [
            (officer.as_str(), "submit", None),
            (
                reviewer,
                "review",
                Some(json!({"decision": "recommend", "comment": "Consistent with last year"})),
            ),
            (
                pa,
                "sign-off",
                Some(json!({"decision": "approve", "comment": "Accepted"})),
            ),
        ] {
            let reply = app
                .send(
                    "POST",
                    &format!("/api/v1/submissions/{submission}/{step}"),
                    Some(token),
                    body,
                )
                .await;
            assert_eq!(reply.status, 200, "{step}: {}", reply.text);
        }
    }

    pub fn token(&self, actor: Actor) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(a, _)| *a == actor)
            .map(|(_, t)| t.as_str())
    }

    pub fn email(&self, actor: Actor) -> Option<&str> {
        self.emails
            .iter()
            .find(|(a, _)| *a == actor)
            .map(|(_, e)| e.as_str())
    }
}
