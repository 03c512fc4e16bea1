//! Evaluation standards as data: written as JSON or from the sheet bureaus keep, checked
//! item by item, read within one's scope, and given back as the sheet that imports again.

use serde_json::{Value, json};

use crate::helpers::{TestApp, both_backends, xlsx_rows};
use crate::world::{Actor, World, standard_body};

both_backends!(
    a_standard_is_a_tree_whose_totals_are_computed,
    every_rule_of_a_standard_names_its_field,
    a_sheet_imports_and_every_bad_cell_is_named,
    the_exported_sheet_imports_as_the_next_version,
    standards_are_read_within_their_province,
    the_bureau_imports_and_reads_a_standard_on_its_pages,
);

async fn a_standard_is_a_tree_whose_totals_are_computed(app: TestApp) {
    let world = World::build(&app).await;
    let bureau = world.bureau(&app);
    let reply = bureau.create_standard(standard_body("fj_nkts", 2)).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let standard = reply.json();
    assert_eq!(standard["scope"], "provincial");
    assert_eq!(standard["province_id"], world.province);
    assert_eq!(
        standard["title_type_code"],
        "national_vocational_training_base"
    );
    assert_eq!(standard["total_points"], 30.0);
    assert_eq!(standard["pass_points"], 18.0);
    assert_eq!(standard["in_use"], false);
    let criteria = standard["criteria"].as_array().unwrap();
    let refs: Vec<&str> = criteria
        .iter()
        .map(|c| c["ref"].as_str().unwrap())
        .collect();
    assert_eq!(
        refs,
        ["1", "1.1", "1.2", "2", "2.1", "3"],
        "in the order given"
    );
    // The group's points are its items' sum; a veto item has none.
    assert_eq!(criteria[0]["max_points"], 17.5);
    assert_eq!(criteria[0]["leaf"], false);
    assert_eq!(criteria[1]["depth"], 1);
    assert_eq!(criteria[1]["guidance"], "每少 1,000 平方米扣 1 分");
    assert_eq!(criteria[5]["veto"], true);
    assert_eq!(criteria[5]["max_points"], Value::Null);
    let id = standard["id"].as_i64().unwrap();
    let read = bureau.standard(id, "").await;
    assert_eq!(read.json(), standard, "read as written");

    // The admin's is national; the same code and version again is a conflict.
    let admin = world.client(&app, Actor::Admin);
    let national = admin.create_standard(standard_body("nkts_2026", 1)).await;
    assert_eq!(national.status, 201, "{}", national.text);
    assert_eq!(national.json()["scope"], "national");
    let again = bureau.create_standard(standard_body("nkts_2026", 1)).await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert_eq!(again.error_code(), "standard_version_taken");
    let out = app.cli(&["history", "verify"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

async fn every_rule_of_a_standard_names_its_field(app: TestApp) {
    let world = World::build(&app).await;
    let bureau = world.bureau(&app);
    let mut body = standard_body("broken", 1);
    body["pass_points"] = json!(18.25);
    body["version"] = json!(0);
    body["criteria"][1]["max_points"] = json!(2.2);
    body["criteria"][2]["parent_ref"] = json!("9");
    body["criteria"][3]["max_points"] = json!(10);
    body["criteria"][4]["ref"] = json!("1.1");
    body["criteria"][5]["max_points"] = json!(5);
    let reply = bureau.create_standard(body).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    let fields = reply.json()["error"]["fields"].clone();
    for (field, word) in [
        ("version", "1"),
        ("pass_points", "0.5"),
        ("criteria[1].max_points", "0.5"),
        ("criteria[2].parent_ref", "criterion"),
        ("criteria[3].max_points", "sum"),
        ("criteria[4].ref", "another"),
        ("criteria[5].max_points", "veto"),
    ] {
        let message = fields[field]
            .as_str()
            .unwrap_or_else(|| panic!("{field}: {fields}"));
        assert!(message.contains(word), "{field}: {message}");
    }
    // In Chinese for a Chinese reader.
    let mut body = standard_body("short", 1);
    body["criteria"] = json!([{"ref": "1", "name": "Only item", "max_points": 5}]);
    body["pass_points"] = json!(6);
    let reply = app
        .send_with(
            "POST",
            "/api/v1/standards",
            world.token(Actor::ProvinceAdmin),
            Some(body),
            &[("Accept-Language", "zh-CN")],
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(
        reply.json()["error"]["fields"]["pass_points"]
            .as_str()
            .unwrap()
            .contains("不能高于标准总分（5）"),
        "{}",
        reply.text
    );
    // A title the catalogue lacks; no criteria at all.
    let mut body = standard_body("nobel", 1);
    body["title_type_code"] = json!("nobel_prize");
    let reply = bureau.create_standard(body).await;
    assert_eq!(reply.status, 422);
    assert!(reply.json()["error"]["fields"]["title_type_code"].is_string());
    let mut body = standard_body("empty", 1);
    body["criteria"] = json!([]);
    let reply = bureau.create_standard(body).await;
    assert!(
        reply.json()["error"]["fields"]["criteria"].is_string(),
        "{}",
        reply.text
    );
    // Who may not write one is told so before the input is judged.
    let mut body = standard_body("", 1);
    body["criteria"] = json!([]);
    let reply = world.reviewer(&app).create_standard(body).await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    let mut body = standard_body("zj_by_fj", 1);
    body["province_id"] = json!(world.other_province);
    let reply = bureau.create_standard(body).await;
    assert_eq!(reply.status, 422);
    assert!(reply.json()["error"]["fields"]["province_id"].is_string());
    // Nothing of the refused ones was kept.
    let codes: Vec<String> = bureau
        .standards("")
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        !codes
            .iter()
            .any(|c| ["broken", "short", "nobel", "empty", "zj_by_fj"].contains(&c.as_str())),
        "{codes:?}"
    );
}

/// A sheet as a bureau keeps it: bilingual headers, 是/否 for veto items, a notes column.
fn sheet(rows: &[[&str; 5]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "编号 ref",
        "上级编号 parent_ref",
        "评估项目 name",
        "分值 max_points",
        "否决项 veto",
        "备注 notes",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match value.parse::<f64>() {
                Ok(n) if c == 3 => sheet.write_number(r, c, n).unwrap(),
                _ => sheet.write_string(r, c, *value).unwrap(),
            };
        }
    }
    book.save_to_buffer().unwrap()
}

async fn import(
    app: &TestApp,
    token: &str,
    fields: &[(&str, &str)],
    file: Vec<u8>,
) -> crate::helpers::Reply {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    form = form.part(
        "file",
        reqwest::multipart::Part::bytes(file).file_name("标准.xlsx"),
    );
    let response = app
        .client
        .post(app.url("/api/v1/standards/import"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    crate::helpers::Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        text: response.text().await.unwrap(),
    }
}

const HEAD: [(&str, &str); 5] = [
    ("code", "fj_demo_school"),
    ("version", "1"),
    ("name", "Provincial demonstration school"),
    ("name_zh", "省级示范校评估标准"),
    ("pass_points", "12"),
];

async fn a_sheet_imports_and_every_bad_cell_is_named(app: TestApp) {
    let world = World::build(&app).await;
    let token = world.token(Actor::ProvinceAdmin).unwrap();
    let good = sheet(&[
        ["1", "", "办学条件", "", "否"],
        ["1.1", "1", "校园面积", "10", ""],
        ["1.2", "1", "实训设备", "5.5", "no"],
        ["2", "", "无重大安全事故", "", "是"],
    ]);
    let reply = import(&app, token, &HEAD, good).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let standard = reply.json();
    assert_eq!(standard["total_points"], 15.5);
    assert_eq!(standard["criteria"][3]["veto"], true);
    assert_eq!(standard["criteria"][0]["max_points"], 15.5);
    assert_eq!(standard["scope"], "provincial");

    let bad = sheet(&[
        ["1", "", "办学条件", "", ""],
        ["1.1", "1", "校园面积", "2.25", ""],
        ["1.1", "1", "", "3", "也许"],
        ["3", "9", "师资", "4", ""],
    ]);
    let mut head = HEAD;
    head[0].1 = "fj_bad";
    let reply = import(&app, token, &head, bad).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    let fields = reply.json()["error"]["fields"].clone();
    let mut cells: Vec<&str> = fields
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    cells.sort();
    assert_eq!(cells, ["C4", "D3", "E4"], "{fields}");
    // The tree's faults once the cells are good: a duplicate number, an unknown parent.
    let bad = sheet(&[
        ["1", "", "办学条件", "", ""],
        ["1.1", "1", "校园面积", "2", ""],
        ["1.1", "1", "实训设备", "3", ""],
        ["3", "9", "师资", "4", ""],
    ]);
    let reply = import(&app, token, &head, bad).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    let fields = reply.json()["error"]["fields"].clone();
    assert!(
        fields["A4"].as_str().unwrap().contains("another"),
        "{fields}"
    );
    assert!(
        fields["B5"].as_str().unwrap().contains("criterion"),
        "{fields}"
    );
    // Not a workbook, and the head's fields, in one answer.
    let reply = import(&app, token, &[("code", "x y")], b"PK not really".to_vec()).await;
    assert_eq!(reply.status, 422);
    let fields = reply.json()["error"]["fields"].clone();
    for field in ["file", "code", "version", "name", "pass_points"] {
        assert!(fields[field].is_string(), "{field}: {fields}");
    }
    let list = world.bureau(&app).standards("").await.json();
    assert!(
        !list
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "fj_bad"),
        "nothing saved"
    );
    // A reviewer is refused before the file is read.
    let reply = import(
        &app,
        world.token(Actor::Reviewer).unwrap(),
        &HEAD,
        sheet(&[]),
    )
    .await;
    assert_eq!(reply.status, 403);
}

async fn the_exported_sheet_imports_as_the_next_version(app: TestApp) {
    let world = World::build(&app).await;
    let bureau = world.bureau(&app);
    let id = world.standards[1];
    let reply = bureau.standard(id, "?format=xlsx").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .contains("spreadsheetml")
    );
    let response = app
        .client
        .get(app.url(&format!("/api/v1/standards/{id}?format=xlsx")))
        .bearer_auth(world.token(Actor::ProvinceAdmin).unwrap())
        .send()
        .await
        .unwrap();
    let bytes = response.bytes().await.unwrap().to_vec();
    let rows = xlsx_rows(&bytes);
    assert!(
        rows[0][0].contains("ref") && rows[0][1].contains("parent_ref"),
        "{:?}",
        rows[0]
    );
    assert!(rows[0][0].contains("编号"), "bilingual: {:?}", rows[0]);
    assert_eq!(rows[1][0], "1");
    assert_eq!(rows[2][1], "1");
    assert_eq!(rows[6][5], "是", "the veto item");
    let again = import(
        &app,
        world.token(Actor::ProvinceAdmin).unwrap(),
        &[
            ("code", "nvtb_fujian"),
            ("version", "2"),
            ("name", "National Vocational Training Base evaluation"),
            ("pass_points", "18"),
            ("title_type_code", "national_vocational_training_base"),
        ],
        bytes,
    )
    .await;
    assert_eq!(again.status, 201, "{}", again.text);
    let first = bureau.standard(id, "").await.json();
    let second = again.json();
    assert_eq!(second["version"], 2);
    assert_eq!(second["total_points"], first["total_points"]);
    assert_eq!(second["criteria"], first["criteria"], "the same tree");
    let bad = bureau.standard(id, "?format=pdf").await;
    assert_eq!(bad.status, 422);
}

async fn standards_are_read_within_their_province(app: TestApp) {
    let world = World::build(&app).await;
    let codes = |list: Value| -> Vec<String> {
        let mut codes: Vec<String> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["code"].as_str().unwrap().to_owned())
            .collect();
        codes.sort();
        codes
    };
    for actor in [
        Actor::QualityOfficer,
        Actor::SchoolViewer,
        Actor::Reviewer,
        Actor::ProvinceAdmin,
    ] {
        let list = world
            .client(&app, actor)
            .get("/api/v1/standards")
            .await
            .json();
        assert_eq!(codes(list), ["nvtb_fujian", "nvtb_national"], "{actor:?}");
    }
    let all = world
        .client(&app, Actor::Admin)
        .get("/api/v1/standards")
        .await
        .json();
    assert_eq!(
        codes(all.clone()),
        ["nvtb_fujian", "nvtb_national", "nvtb_zhejiang"]
    );
    assert_eq!(all[0]["criteria_count"], 6);
    let foreign = world
        .officer(&app)
        .get(&format!("/api/v1/standards/{}", world.standards[2]))
        .await;
    assert_eq!(foreign.status, 404);
    let foreign = world
        .officer(&app)
        .get(&format!(
            "/api/v1/standards/{}?format=xlsx",
            world.standards[2]
        ))
        .await;
    assert_eq!(foreign.status, 404);
}

async fn page_import(
    app: &TestApp,
    visitor: &crate::web_pages::Visitor<'_>,
    csrf: Option<&str>,
    fields: &[(&str, &str)],
    file: Vec<u8>,
) -> (u16, String, Option<String>) {
    let mut form = reqwest::multipart::Form::new();
    if let Some(csrf) = csrf {
        form = form.text("csrf_token", csrf.to_owned());
    }
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    form = form.part(
        "file",
        reqwest::multipart::Part::bytes(file).file_name("标准.xlsx"),
    );
    let response = app
        .client
        .post(app.url("/standards/import"))
        .header("Cookie", visitor.cookie_header())
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, response.text().await.unwrap(), location)
}

async fn the_bureau_imports_and_reads_a_standard_on_its_pages(app: TestApp) {
    use crate::web_pages::Visitor;
    let world = World::build(&app).await;
    let mut bureau = Visitor::new(&app);
    bureau
        .sign_in(
            world.email(Actor::ProvinceAdmin).unwrap(),
            crate::world::PASSWORD,
        )
        .await;
    bureau.cookies.insert("lang".into(), "zh-CN".into());
    let page = bureau.get("/standards").await;
    assert_eq!(page.status, 200);
    for text in [
        "评估标准",
        "国家级职业培训基地评估标准",
        "从表格导入评估标准",
        "nvtb_fujian",
    ] {
        assert!(page.text.contains(text), "the list lacks {text}");
    }
    assert!(
        !page.text.contains("nvtb_zhejiang"),
        "another province's standard"
    );
    let csrf = bureau.csrf.clone();

    // A bad cell comes back named, with what was typed kept.
    let bad = sheet(&[["1", "", "校园面积", "2.25", ""]]);
    let (status, text, _) = page_import(&app, &bureau, Some(&csrf), &HEAD, bad).await;
    assert_eq!(status, 422);
    assert!(text.contains("D2"), "the cell is named");
    assert!(text.contains("必须是以 0.5 分为单位的分值"), "in Chinese");
    assert!(
        text.contains("value=\"fj_demo_school\""),
        "what was typed is kept"
    );
    // Without its CSRF field nothing is read.
    let good = sheet(&[
        ["1", "", "办学条件", "", ""],
        ["1.1", "1", "校园面积", "10", ""],
        ["1.2", "1", "实训设备", "5.5", ""],
        ["2", "", "无重大安全事故", "", "是"],
    ]);
    let (status, _, _) = page_import(&app, &bureau, None, &HEAD, good.clone()).await;
    assert_eq!(status, 403);
    let (status, _, location) = page_import(&app, &bureau, Some(&csrf), &HEAD, good).await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(location.ends_with("?done=imported"), "{location}");

    // The standard's page: its tree, the group's points, the veto item marked.
    let page = bureau.get(&location).await;
    assert_eq!(page.status, 200);
    for text in [
        "省级示范校评估标准",
        "评估标准已导入",
        "办学条件",
        "15.5",
        "否决项",
        "达标 / 不达标",
        "下载表格（XLSX）",
    ] {
        assert!(page.text.contains(text), "the standard's page lacks {text}");
    }
    assert!(
        page.text.contains("class=\"depth-1\""),
        "items are indented under their group"
    );
    let id = location
        .trim_start_matches("/standards/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let download = app
        .client
        .get(app.url(&format!("/standards/{id}/sheet.xlsx")))
        .header("Cookie", bureau.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    let rows = xlsx_rows(&download.bytes().await.unwrap());
    assert_eq!(rows.len(), 5);

    // A school's officer reads the standards but has no import form; another province's
    // standard does not exist for them.
    let mut officer = Visitor::new(&app);
    officer
        .sign_in(
            world.email(Actor::QualityOfficer).unwrap(),
            crate::world::PASSWORD,
        )
        .await;
    let page = officer.get("/standards").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("fj_demo_school"));
    assert!(!page.text.contains("standard-import-form"));
    let foreign = officer
        .get(&format!("/standards/{}", world.standards[2]))
        .await;
    assert_eq!(foreign.status, 404);
}
