//! `accredit synth`: a national-scale synthetic data set for measuring the service.
//!
//! By default 31 provinces, 10,000 schools and, per school, 10 audits of 10 findings each
//! (every finding with its corrective action), 10 submissions spread over all seven
//! workflow states with their evidence metadata and workflow events, 20 accepted (locked)
//! years of status data (the nine first figures throughout, the whole catalogue for the
//! last eight), this year's collection round with the schools at every stage of it,
//! titles and a certificate; users of every role. `--schools N` scales all of
//! it; `--seed` makes it reproducible (the generator is ours, so a seed gives the same data
//! on every version of every dependency).
//!
//! It writes multi-row `INSERT`s of a few hundred rows, one transaction per block of
//! schools, with explicit ids (so that rows can refer to each other without reading ids
//! back), and moves PostgreSQL's identity sequences past them at the end. Every value is
//! produced here — numbers, dates and words from fixed lists — and text literals are
//! quoted by `Sql::text`. Evidence rows carry metadata only: no file is written, so a
//! download of synthetic evidence answers 404.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::time::Instant;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use time::{Date, Duration, Month, PrimitiveDateTime, Time};

mod evaluations;

use crate::auth::password::hash_password;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::schema::{provinces, schools, title_types};
use crate::db::{Db, DbConn, write_transaction};
use crate::domain::NewPassword;
use crate::domain::clause::CLAUSES;
use crate::domain::dates::add_months;

/// The password of every synthetic account (printed).
pub const SYNTH_PASSWORD: &str = "accredit-synth-2026";

/// Per school, the default proportions of the data set.
const AUDITS_PER_SCHOOL: usize = 10;
const FINDINGS_PER_AUDIT: usize = 10;
const SUBMISSIONS_PER_SCHOOL: usize = 10;
const INDICATOR_YEARS: i32 = 20;
/// The last years that have every figure of the catalogue (before, only the first nine).
const FULL_YEARS: i32 = 8;
const REVIEWERS_PER_PROVINCE: usize = 4;
/// Each province's evaluation experts, of whom five sit on each panel.
const EXPERTS_PER_PROVINCE: usize = 8;
/// Schools written per transaction (and per step of the progress bar).
const SCHOOLS_PER_BLOCK: usize = 100;

#[derive(Clone, Copy, Debug)]
pub struct SynthOptions {
    pub seed: u64,
    pub schools: usize,
}

/// SplitMix64: small, fast, and stable across versions — the data set of a seed never
/// changes under us.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() >> 32) * n) >> 32
    }
    fn range(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low + 1) as u64) as i64
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// An index into `weights`, chosen in proportion to them.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut roll = self.below(u64::from(total)) as u32;
        for (i, w) in weights.iter().enumerate() {
            if roll < *w {
                return i;
            }
            roll -= w;
        }
        weights.len() - 1
    }
    fn hex(&mut self, bytes: usize) -> String {
        let mut out = String::with_capacity(bytes * 2);
        for _ in 0..bytes.div_ceil(8) {
            let _ = write!(out, "{:016x}", self.next());
        }
        out.truncate(bytes * 2);
        out
    }
}

/// One SQL value, written as a literal.
enum V<'a> {
    Int(i64),
    Text(&'a str),
    Date(Date),
    Ts(PrimitiveDateTime),
    Bool(bool),
    Null,
}

impl<'a> V<'a> {
    fn opt_text(value: Option<&'a str>) -> V<'a> {
        value.map_or(V::Null, V::Text)
    }
    fn opt_date(value: Option<Date>) -> V<'a> {
        value.map_or(V::Null, V::Date)
    }
    fn opt_int(value: Option<i64>) -> V<'a> {
        value.map_or(V::Null, V::Int)
    }
}

fn write_value(out: &mut String, value: &V<'_>) {
    match value {
        V::Int(n) => {
            let _ = write!(out, "{n}");
        }
        V::Text(s) => {
            out.push('\'');
            for c in s.chars() {
                if c == '\'' {
                    out.push('\'');
                }
                out.push(c);
            }
            out.push('\'');
        }
        V::Date(d) => {
            let _ = write!(
                out,
                "'{:04}-{:02}-{:02}'",
                d.year(),
                u8::from(d.month()),
                d.day()
            );
        }
        V::Ts(t) => {
            let _ = write!(
                out,
                "'{:04}-{:02}-{:02} {:02}:{:02}:{:02}'",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            );
        }
        V::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        V::Null => out.push_str("NULL"),
    }
}

/// Rows for one table, sent as one multi-row `INSERT` when enough have gathered.
struct Batch {
    head: String,
    rows: String,
    count: usize,
    written: u64,
}

/// Statements stay well under SQLite's 1,000,000-byte limit on SQL text.
const BATCH_BYTES: usize = 256 * 1024;
const BATCH_ROWS: usize = 500;

impl Batch {
    fn new(pg: bool, table: &str, columns: &str, identity: bool) -> Batch {
        let overriding = if pg && identity {
            " OVERRIDING SYSTEM VALUE"
        } else {
            ""
        };
        Batch {
            head: format!("INSERT INTO {table} ({columns}){overriding} VALUES "),
            rows: String::new(),
            count: 0,
            written: 0,
        }
    }

    fn row(&mut self, values: &[V<'_>]) {
        if self.count > 0 {
            self.rows.push(',');
        }
        self.rows.push('(');
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                self.rows.push(',');
            }
            write_value(&mut self.rows, value);
        }
        self.rows.push(')');
        self.count += 1;
    }

    fn is_full(&self) -> bool {
        self.count >= BATCH_ROWS || self.rows.len() >= BATCH_BYTES
    }

    fn flush(&mut self, conn: &mut DbConn) -> anyhow::Result<()> {
        if self.count == 0 {
            return Ok(());
        }
        let mut sql = String::with_capacity(self.head.len() + self.rows.len());
        sql.push_str(&self.head);
        sql.push_str(&self.rows);
        conn.batch_execute(&sql)?;
        self.written += self.count as u64;
        self.rows.clear();
        self.count = 0;
        Ok(())
    }
}

/// Every table the generator writes, in the order their rows may refer to each other.
struct Tables {
    provinces: Batch,
    schools: Batch,
    users: Batch,
    school_titles: Batch,
    certificates: Batch,
    audits: Batch,
    findings: Batch,
    corrective_actions: Batch,
    school_years: Batch,
    status_figures: Batch,
    collection_rounds: Batch,
    submissions: Batch,
    submission_contents: Batch,
    evidence_files: Batch,
    submission_events: Batch,
    consulting_grants: Batch,
    programmes: Batch,
    evaluation: evaluations::EvaluationTables,
}

impl Tables {
    fn new(pg: bool) -> Tables {
        Tables {
            provinces: Batch::new(pg, "provinces", "id, code, name, name_zh, created_at", true),
            schools: Batch::new(
                pg,
                "schools",
                "id, province_id, name, name_zh, city, kind, founded_year, created_at, updated_at",
                true,
            ),
            users: Batch::new(
                pg,
                "users",
                "id, email, name, role, province_id, school_id, password_hash, active, created_at, updated_at",
                true,
            ),
            school_titles: Batch::new(
                pg,
                "school_titles",
                "id, school_id, title_type_id, awarded_on, last_evaluated_on, status, created_at, updated_at",
                true,
            ),
            certificates: Batch::new(
                pg,
                "certificates",
                "id, school_id, standard, certification_body, certificate_number, scope, issued_on, expires_on, updated_at",
                true,
            ),
            audits: Batch::new(
                pg,
                "audits",
                "id, school_id, kind, standard, started_on, ended_on, lead_auditor, auditing_body, scope, summary, province_verified_on, created_at, updated_at",
                true,
            ),
            findings: Batch::new(
                pg,
                "findings",
                "id, audit_id, school_id, clause, grade, description, due_on, status, reopen_reason, created_at, updated_at",
                true,
            ),
            corrective_actions: Batch::new(
                pg,
                "corrective_actions",
                "finding_id, root_cause, action, owner, due_on, done_on, verified_by, verified_on, effective, verification_note, updated_at",
                false,
            ),
            school_years: Batch::new(
                pg,
                "school_years",
                "school_id, year, explanations, locked_at, accepted_submission_id, updated_at",
                false,
            ),
            status_figures: Batch::new(
                pg,
                "status_figures",
                "school_id, year, indicator_id, value",
                false,
            ),
            collection_rounds: Batch::new(
                pg,
                "collection_rounds",
                "id, province_id, year, due_on, change_threshold_pct, closed_at, created_by, created_at",
                true,
            ),
            submissions: Batch::new(
                pg,
                "submissions",
                "id, school_id, kind, title, summary, title_type_id, school_title_id, audit_id, finding_id, year, status, round, recommended_by, created_by, submitted_at, created_at, updated_at",
                true,
            ),
            submission_contents: Batch::new(
                pg,
                "submission_contents",
                "submission_id, round, content",
                false,
            ),
            evidence_files: Batch::new(
                pg,
                "evidence_files",
                "id, submission_id, round, filename, content_type, size_bytes, sha256, description, uploaded_by, created_at",
                true,
            ),
            submission_events: Batch::new(
                pg,
                "submission_events",
                "id, submission_id, at, actor_id, action, from_status, to_status, round, comment",
                true,
            ),
            consulting_grants: Batch::new(
                pg,
                "consulting_grants",
                "id, granting_school_id, consultant_school_id, until, include_evidence, created_by, created_at",
                true,
            ),
            programmes: Batch::new(
                pg,
                "programmes",
                "id, province_id, name, title_type_id, indicator, threshold, target_count, target_date, created_at",
                true,
            ),
            evaluation: evaluations::EvaluationTables::new(pg),
        }
    }

    fn all(&mut self) -> [(&'static str, &mut Batch); 24] {
        [
            ("provinces", &mut self.provinces),
            ("standards", &mut self.evaluation.standards),
            ("standard_criteria", &mut self.evaluation.standard_criteria),
            ("schools", &mut self.schools),
            ("users", &mut self.users),
            ("school_titles", &mut self.school_titles),
            ("certificates", &mut self.certificates),
            ("audits", &mut self.audits),
            ("findings", &mut self.findings),
            ("corrective_actions", &mut self.corrective_actions),
            ("collection_rounds", &mut self.collection_rounds),
            ("submissions", &mut self.submissions),
            ("submission_contents", &mut self.submission_contents),
            ("school_years", &mut self.school_years),
            ("status_figures", &mut self.status_figures),
            ("evidence_files", &mut self.evidence_files),
            ("submission_events", &mut self.submission_events),
            ("evaluations", &mut self.evaluation.evaluations),
            ("evaluation_items", &mut self.evaluation.evaluation_items),
            ("panel_members", &mut self.evaluation.panel_members),
            ("expert_scores", &mut self.evaluation.expert_scores),
            ("consensus_scores", &mut self.evaluation.consensus_scores),
            ("consulting_grants", &mut self.consulting_grants),
            ("programmes", &mut self.programmes),
        ]
    }

    /// Sends what is pending, parents before children, once any table has a full batch.
    fn flush_when_full(&mut self, conn: &mut DbConn) -> anyhow::Result<()> {
        if self.all().iter().any(|(_, batch)| batch.is_full()) {
            self.flush(conn)?;
        }
        Ok(())
    }

    /// Sends what is pending, parents before children.
    fn flush(&mut self, conn: &mut DbConn) -> anyhow::Result<()> {
        for (_, batch) in self.all() {
            batch.flush(conn)?;
        }
        Ok(())
    }
}

/// The next free id of each table with one.
#[derive(Default)]
struct Ids {
    province: i64,
    school: i64,
    user: i64,
    title: i64,
    certificate: i64,
    audit: i64,
    finding: i64,
    submission: i64,
    evidence: i64,
    event: i64,
    grant: i64,
    programme: i64,
    round: i64,
    standard: i64,
}

fn next_id(conn: &mut DbConn, table: &str) -> anyhow::Result<i64> {
    #[derive(QueryableByName)]
    struct Max {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let max: Max = diesel::sql_query(format!("SELECT COALESCE(MAX(id), 0) AS id FROM {table}"))
        .get_result(conn)?;
    Ok(max.id + 1)
}

impl Ids {
    fn read(conn: &mut DbConn) -> anyhow::Result<Ids> {
        Ok(Ids {
            province: next_id(conn, "provinces")?,
            school: next_id(conn, "schools")?,
            user: next_id(conn, "users")?,
            title: next_id(conn, "school_titles")?,
            certificate: next_id(conn, "certificates")?,
            audit: next_id(conn, "audits")?,
            finding: next_id(conn, "findings")?,
            submission: next_id(conn, "submissions")?,
            evidence: next_id(conn, "evidence_files")?,
            event: next_id(conn, "submission_events")?,
            grant: next_id(conn, "consulting_grants")?,
            programme: next_id(conn, "programmes")?,
            round: next_id(conn, "collection_rounds")?,
            standard: next_id(conn, "standards")?,
        })
    }
}

fn take(id: &mut i64) -> i64 {
    let current = *id;
    *id += 1;
    current
}

/// English and Chinese.
type City = (&'static str, &'static str);
/// (code, English, Chinese, share of the schools, cities)
type Province = (&'static str, &'static str, &'static str, u32, [City; 3]);

/// The provinces (all 31 of the mainland), each with three cities and a share of the
/// schools roughly in proportion to its population.
#[rustfmt::skip]
const PROVINCES: [Province; 31] = [
    ("BJ", "Beijing", "北京市", 22, [("Beijing", "北京"), ("Tongzhou", "通州"), ("Changping", "昌平")]),
    ("TJ", "Tianjin", "天津市", 14, [("Tianjin", "天津"), ("Binhai", "滨海"), ("Wuqing", "武清")]),
    ("HE", "Hebei", "河北省", 74, [("Shijiazhuang", "石家庄"), ("Baoding", "保定"), ("Tangshan", "唐山")]),
    ("SX", "Shanxi", "山西省", 35, [("Taiyuan", "太原"), ("Datong", "大同"), ("Changzhi", "长治")]),
    ("NM", "Inner Mongolia", "内蒙古自治区", 24, [("Hohhot", "呼和浩特"), ("Baotou", "包头"), ("Ordos", "鄂尔多斯")]),
    ("LN", "Liaoning", "辽宁省", 43, [("Shenyang", "沈阳"), ("Dalian", "大连"), ("Anshan", "鞍山")]),
    ("JL", "Jilin", "吉林省", 24, [("Changchun", "长春"), ("Jilin", "吉林"), ("Siping", "四平")]),
    ("HL", "Heilongjiang", "黑龙江省", 32, [("Harbin", "哈尔滨"), ("Qiqihar", "齐齐哈尔"), ("Daqing", "大庆")]),
    ("SH", "Shanghai", "上海市", 25, [("Shanghai", "上海"), ("Pudong", "浦东"), ("Minhang", "闵行")]),
    ("JS", "Jiangsu", "江苏省", 85, [("Nanjing", "南京"), ("Suzhou", "苏州"), ("Wuxi", "无锡")]),
    ("ZJ", "Zhejiang", "浙江省", 65, [("Hangzhou", "杭州"), ("Wenzhou", "温州"), ("Ningbo", "宁波")]),
    ("AH", "Anhui", "安徽省", 61, [("Hefei", "合肥"), ("Wuhu", "芜湖"), ("Anqing", "安庆")]),
    ("FJ", "Fujian", "福建省", 42, [("Fuzhou", "福州"), ("Xiamen", "厦门"), ("Quanzhou", "泉州")]),
    ("JX", "Jiangxi", "江西省", 45, [("Nanchang", "南昌"), ("Ganzhou", "赣州"), ("Jiujiang", "九江")]),
    ("SD", "Shandong", "山东省", 101, [("Jinan", "济南"), ("Qingdao", "青岛"), ("Yantai", "烟台")]),
    ("HA", "Henan", "河南省", 99, [("Zhengzhou", "郑州"), ("Luoyang", "洛阳"), ("Nanyang", "南阳")]),
    ("HB", "Hubei", "湖北省", 58, [("Wuhan", "武汉"), ("Yichang", "宜昌"), ("Xiangyang", "襄阳")]),
    ("HN", "Hunan", "湖南省", 66, [("Changsha", "长沙"), ("Zhuzhou", "株洲"), ("Hengyang", "衡阳")]),
    ("GD", "Guangdong", "广东省", 126, [("Guangzhou", "广州"), ("Shenzhen", "深圳"), ("Foshan", "佛山")]),
    ("GX", "Guangxi", "广西壮族自治区", 50, [("Nanning", "南宁"), ("Liuzhou", "柳州"), ("Guilin", "桂林")]),
    ("HI", "Hainan", "海南省", 10, [("Haikou", "海口"), ("Sanya", "三亚"), ("Danzhou", "儋州")]),
    ("CQ", "Chongqing", "重庆市", 32, [("Chongqing", "重庆"), ("Wanzhou", "万州"), ("Fuling", "涪陵")]),
    ("SC", "Sichuan", "四川省", 84, [("Chengdu", "成都"), ("Mianyang", "绵阳"), ("Yibin", "宜宾")]),
    ("GZ", "Guizhou", "贵州省", 38, [("Guiyang", "贵阳"), ("Zunyi", "遵义"), ("Anshun", "安顺")]),
    ("YN", "Yunnan", "云南省", 47, [("Kunming", "昆明"), ("Qujing", "曲靖"), ("Dali", "大理")]),
    ("XZ", "Tibet", "西藏自治区", 4, [("Lhasa", "拉萨"), ("Shigatse", "日喀则"), ("Nyingchi", "林芝")]),
    ("SN", "Shaanxi", "陕西省", 40, [("Xi'an", "西安"), ("Baoji", "宝鸡"), ("Xianyang", "咸阳")]),
    ("GS", "Gansu", "甘肃省", 25, [("Lanzhou", "兰州"), ("Tianshui", "天水"), ("Jiuquan", "酒泉")]),
    ("QH", "Qinghai", "青海省", 6, [("Xining", "西宁"), ("Haidong", "海东"), ("Golmud", "格尔木")]),
    ("NX", "Ningxia", "宁夏回族自治区", 7, [("Yinchuan", "银川"), ("Shizuishan", "石嘴山"), ("Wuzhong", "吴忠")]),
    ("XJ", "Xinjiang", "新疆维吾尔自治区", 26, [("Urumqi", "乌鲁木齐"), ("Karamay", "克拉玛依"), ("Kashgar", "喀什")]),
];

/// (kind, English, Chinese, weight)
const KINDS: [(&str, &str, &str, u32); 5] = [
    ("technical_school", "Technical School", "技工学校", 30),
    (
        "senior_technical_school",
        "Senior Technical School",
        "高级技工学校",
        15,
    ),
    ("technician_college", "Technician College", "技师学院", 10),
    (
        "secondary_vocational",
        "Secondary Vocational School",
        "中等职业学校",
        35,
    ),
    (
        "higher_vocational",
        "Vocational and Technical College",
        "职业技术学院",
        10,
    ),
];

const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "林",
];
const GIVEN: [&str; 16] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "霞",
];
const PINYIN: [&str; 16] = [
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma",
    "Zhu", "Hu", "Lin",
];
const BODIES: [&str; 5] = [
    "China Quality Certification Centre",
    "China Certification Centre for Quality Assurance",
    "Beijing Zhongjing Certification",
    "Fangyuan Mark Certification",
    "CEPREI Certification Body",
];
const FINDING_TEXT: [&str; 8] = [
    "Records required by this clause were incomplete for two of the sampled teaching departments.",
    "The documented procedure was not followed in the practical training workshop.",
    "No evidence that the results of the last review were communicated to the teaching staff.",
    "Responsibilities for this process are not defined in the current organisation chart.",
    "Students' feedback from the employer survey was collected but not analysed.",
    "Calibration records of the measuring equipment in the electrical lab were out of date.",
    "Objectives for the year were set but not measurable for the admissions office.",
    "The supplier of internship placements was not evaluated as the procedure requires.",
];
const ROOT_CAUSES: [&str; 4] = [
    "The procedure was not known to newly hired staff.",
    "The responsibility changed hands and was not reassigned.",
    "The template in use did not ask for the required record.",
    "Workload during the admissions season.",
];
const ACTIONS: [&str; 4] = [
    "Train the staff concerned and add the procedure to the induction programme.",
    "Assign the responsibility in writing and check monthly for three months.",
    "Revise the form so that the record is captured, and re-check last term's files.",
    "Move the task to a calmer month and add it to the quality calendar.",
];

fn name_of(rng: &mut Rng) -> (String, String) {
    let s = rng.below(16) as usize;
    let g = rng.below(16) as usize;
    (format!("{}{}", SURNAMES[s], GIVEN[g]), PINYIN[s].to_owned())
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

fn at(date: Date, rng: &mut Rng) -> PrimitiveDateTime {
    let time = Time::from_hms(
        rng.range(8, 17) as u8,
        rng.range(0, 59) as u8,
        rng.range(0, 59) as u8,
    )
    .unwrap_or(Time::MIDNIGHT);
    PrimitiveDateTime::new(date, time)
}

/// What the generator knows of the catalogue of titles.
struct TitleType {
    id: i64,
    interval: Option<u32>,
}

/// What a school's figures grow from, year to year.
struct YearBase {
    students: i64,
    campus: i64,
    building: i64,
    equipment: i64,
    books: i64,
}

/// What is kept of a school while its records are written.
struct SchoolFacts {
    id: i64,
    province: usize,
    officer: i64,
    titles: Vec<(i64, i64)>, // (holding id, title type id)
    audits: Vec<(i64, Date)>,
    findings: Vec<i64>,
}

/// A workflow step as synth writes it: action, from, to, actor.
type Step = (&'static str, Option<&'static str>, &'static str, i64);

struct Generator {
    rng: Rng,
    today: Date,
    now: PrimitiveDateTime,
    ids: Ids,
    tables: Tables,
    title_types: Vec<TitleType>,
    province_ids: Vec<i64>,
    reviewers: Vec<Vec<i64>>,
    /// each province's experts
    experts: Vec<Vec<i64>>,
    admins: Vec<i64>,
    city_counters: Vec<[u32; 3]>,
    password_hash: String,
    /// The catalogue's entered indicators: code and row id.
    indicators: Vec<(String, i64)>,
    /// The standard synthetic evaluations are scored by, once written.
    standard: Option<evaluations::SynthStandard>,
    /// Evaluations draw from their own stream, so the rest of a seed's data stays as it was.
    eval_rng: Rng,
}

pub fn run(settings: &Settings, options: SynthOptions) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = Db::connect(&settings.database_url, 1)?;
    db.migrate()?;
    let mut conn = db.get()?;
    let conn: &mut DbConn = &mut conn;
    let existing: i64 = schools::table.count().get_result(conn)?;
    let existing_provinces: i64 = provinces::table.count().get_result(conn)?;
    if existing > 0 || existing_provinces > 0 {
        anyhow::bail!(
            "the database already holds {existing_provinces} province(s) and {existing} school(s); \
             synth fills an empty database (create a new one, or point DATABASE_URL elsewhere)"
        );
    }
    let pg = matches!(conn, DbConn::Pg(_));
    let today = Clock {
        fixed_today: settings.today,
    }
    .today();
    let title_types: Vec<TitleType> = title_types::table
        .select((title_types::id, title_types::reevaluation_interval_months))
        .order(title_types::id)
        .load::<(i64, Option<i32>)>(conn)?
        .into_iter()
        .map(|(id, interval)| TitleType {
            id,
            interval: interval
                .and_then(|m| u32::try_from(m).ok())
                .filter(|m| *m > 0),
        })
        .collect();
    let password_hash = hash_password(
        &NewPassword::parse(SYNTH_PASSWORD).map_err(|e| anyhow::anyhow!(e))?,
        settings.password_hashing,
    )?;
    let mut generator = Generator {
        rng: Rng(options.seed),
        eval_rng: Rng(options.seed ^ 0x5EED_E7A1),
        standard: None,
        today,
        now: PrimitiveDateTime::new(today, Time::from_hms(9, 0, 0).unwrap_or(Time::MIDNIGHT)),
        ids: Ids::read(conn)?,
        tables: Tables::new(pg),
        title_types,
        province_ids: Vec::new(),
        reviewers: Vec::new(),
        experts: Vec::new(),
        admins: Vec::new(),
        city_counters: vec![[0; 3]; PROVINCES.len()],
        password_hash,
        indicators: {
            let catalogue = crate::store::indicators::catalogue(conn)?;
            catalogue
                .entered()
                .filter_map(|i| Some((i.code.clone(), catalogue.id_of(&i.code)?)))
                .collect()
        },
    };
    println!(
        "Generating {} schools in 31 provinces (seed {}) into {}…",
        options.schools,
        options.seed,
        settings.database_url.redacted()
    );
    write_transaction(conn, |conn| {
        generator.provinces_and_staff(conn)?;
        generator.standard(conn)
    })?;
    let mut progress = Progress::new(options.schools);
    let mut done = 0;
    while done < options.schools {
        let block = SCHOOLS_PER_BLOCK.min(options.schools - done);
        write_transaction(conn, |conn| -> anyhow::Result<()> {
            for n in done..done + block {
                generator.school(n + 1);
                generator.tables.flush_when_full(conn)?;
            }
            generator.tables.flush(conn)
        })?;
        done += block;
        progress.show(done, generator.tables.findings.written);
    }
    progress.finish();
    write_transaction(conn, |conn| {
        generator.grants_and_programmes(conn, options.schools)
    })?;
    // The per-school figures of the peer comparison, as the application keeps them.
    write_transaction(conn, |conn| {
        conn.batch_execute(crate::store::peers::REFRESH_ALL_SQL)
    })?;
    // Each submission's province, and the deadlines and counts, as the application keeps them.
    write_transaction(conn, |conn| {
        conn.batch_execute(
            "UPDATE submissions SET province_id = \
             (SELECT s.province_id FROM schools s WHERE s.id = submissions.school_id);",
        )
    })?;
    write_transaction(conn, |conn| generator.notices(conn))?;
    let deadlines = crate::app::derived::rebuild(conn)?;
    println!("Kept {deadlines} deadlines.");
    if pg {
        for table in [
            "provinces",
            "schools",
            "users",
            "school_titles",
            "certificates",
            "audits",
            "findings",
            "submissions",
            "evidence_files",
            "submission_events",
            "consulting_grants",
            "programmes",
            "collection_rounds",
            "standards",
        ] {
            conn.batch_execute(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false);"
            ))?;
        }
        // Statistics for the planner, and the visibility map that lets it answer from an
        // index alone (a fresh bulk load has none until autovacuum comes by).
        conn.batch_execute("VACUUM ANALYZE")?;
    } else {
        conn.batch_execute("PRAGMA optimize; ANALYZE;")?;
    }
    println!(
        "Done in {:.1} s. Rows written:",
        started.elapsed().as_secs_f64()
    );
    for (table, batch) in generator.tables.all() {
        println!("  {table:<20} {:>10}", batch.written);
    }
    println!(
        "Every synthetic account has the password {SYNTH_PASSWORD}; for example:\n  \
         admin@synth.accredit.cn (admin)\n  \
         bureau-fj@synth.accredit.cn (province admin, Fujian)\n  \
         reviewer-fj-1@synth.accredit.cn (reviewer, Fujian)\n  \
         officer-00001@synth.accredit.cn and viewer-00001@synth.accredit.cn (school 1)"
    );
    Ok(())
}

impl Generator {
    fn user(
        &mut self,
        email: &str,
        name: &str,
        role: &str,
        province_id: Option<i64>,
        school_id: Option<i64>,
    ) -> i64 {
        let id = take(&mut self.ids.user);
        let created = self.now - days(self.rng.range(30, 3000));
        self.tables.users.row(&[
            V::Int(id),
            V::Text(email),
            V::Text(name),
            V::Text(role),
            V::opt_int(province_id),
            V::opt_int(school_id),
            V::Text(&self.password_hash),
            V::Bool(true),
            V::Ts(created),
            V::Ts(created),
        ]);
        id
    }

    fn provinces_and_staff(&mut self, conn: &mut DbConn) -> anyhow::Result<()> {
        for (code, name, zh, _, _) in PROVINCES {
            let id = take(&mut self.ids.province);
            let created = at(self.today - days(800), &mut self.rng);
            self.tables.provinces.row(&[
                V::Int(id),
                V::Text(code),
                V::Text(name),
                V::Text(zh),
                V::Ts(created),
            ]);
            self.province_ids.push(id);
        }
        self.tables.provinces.flush(conn)?;
        for (p, (code, name, _, _, _)) in PROVINCES.iter().enumerate() {
            let province_id = self.province_ids[p];
            let lower = code.to_ascii_lowercase();
            let mut reviewers = Vec::new();
            for k in 1..=REVIEWERS_PER_PROVINCE {
                let (zh, en) = name_of(&mut self.rng);
                let id = self.user(
                    &format!("reviewer-{lower}-{k}@synth.accredit.cn"),
                    &format!("{zh} {en} (reviewer, {name})"),
                    "reviewer",
                    Some(province_id),
                    None,
                );
                reviewers.push(id);
            }
            self.reviewers.push(reviewers);
            // Named from the evaluations' own stream, so the rest of the data stays as it was.
            let mut experts = Vec::new();
            for k in 1..=EXPERTS_PER_PROVINCE {
                let (zh, en) = name_of(&mut self.eval_rng);
                let id = self.user(
                    &format!("expert-{lower}-{k}@synth.accredit.cn"),
                    &format!("{zh} {en} (expert, {name})"),
                    "expert",
                    Some(province_id),
                    None,
                );
                experts.push(id);
            }
            self.experts.push(experts);
            let (zh, en) = name_of(&mut self.rng);
            let admin = self.user(
                &format!("bureau-{lower}@synth.accredit.cn"),
                &format!("{zh} {en} ({name} bureau)"),
                "province_admin",
                Some(province_id),
                None,
            );
            self.admins.push(admin);
            // The last three years' rounds, closed, and this year's, open.
            let this_year = self.today.year();
            for year in this_year - 3..=this_year {
                let due =
                    Date::from_calendar_date(year, Month::September, 30).unwrap_or(self.today);
                let opened = at(due - days(120), &mut self.rng);
                let id = take(&mut self.ids.round);
                self.tables.collection_rounds.row(&[
                    V::Int(id),
                    V::Int(province_id),
                    V::Int(i64::from(year)),
                    V::Date(due),
                    V::Int(30),
                    if year < this_year {
                        V::Ts(at(due + days(60), &mut self.rng))
                    } else {
                        V::Null
                    },
                    V::Int(admin),
                    V::Ts(opened),
                ]);
            }
        }
        self.user(
            "admin@synth.accredit.cn",
            "运维 Synthetic operator",
            "admin",
            None,
            None,
        );
        self.tables.users.flush(conn)?;
        self.tables.collection_rounds.flush(conn)
    }

    /// The `n`th school (1-based) and everything it holds.
    fn school(&mut self, n: usize) {
        let weights: Vec<u32> = PROVINCES.iter().map(|p| p.3).collect();
        let province = self.rng.weighted(&weights);
        let (_, _, _, _, cities) = PROVINCES[province];
        let city = self.rng.below(3) as usize;
        self.city_counters[province][city] += 1;
        let number = self.city_counters[province][city];
        let kind_weights: Vec<u32> = KINDS.iter().map(|k| k.3).collect();
        let (kind, kind_en, kind_zh, _) = KINDS[self.rng.weighted(&kind_weights)];
        let (city_en, city_zh) = cities[city];
        let id = take(&mut self.ids.school);
        let created = at(self.today - days(self.rng.range(400, 900)), &mut self.rng);
        self.tables.schools.row(&[
            V::Int(id),
            V::Int(self.province_ids[province]),
            V::Text(&format!("{city_en} No.{number} {kind_en}")),
            V::Text(&format!("{city_zh}第{number}{kind_zh}")),
            V::Text(city_en),
            V::Text(kind),
            V::Int(self.rng.range(1950, 2015)),
            V::Ts(created),
            V::Ts(created),
        ]);
        let (zh, en) = name_of(&mut self.rng);
        let officer = self.user(
            &format!("officer-{n:05}@synth.accredit.cn"),
            &format!("{zh} {en} (quality officer)"),
            "quality_officer",
            None,
            Some(id),
        );
        let (zh, en) = name_of(&mut self.rng);
        self.user(
            &format!("viewer-{n:05}@synth.accredit.cn"),
            &format!("{zh} {en} (principal)"),
            "school_viewer",
            None,
            Some(id),
        );
        let mut facts = SchoolFacts {
            id,
            province,
            officer,
            titles: Vec::new(),
            audits: Vec::new(),
            findings: Vec::new(),
        };
        self.titles_and_certificate(&mut facts);
        self.audits(&mut facts);
        self.status_data(&facts);
        self.submissions(&facts);
    }

    fn titles_and_certificate(&mut self, school: &mut SchoolFacts) {
        let held = self.rng.weighted(&[25, 35, 25, 15]);
        let mut chosen: Vec<usize> = Vec::new();
        while chosen.len() < held {
            let t = self.rng.below(self.title_types.len() as u64) as usize;
            if !chosen.contains(&t) {
                chosen.push(t);
            }
        }
        for t in chosen {
            let (type_id, interval) = (self.title_types[t].id, self.title_types[t].interval);
            let awarded = self.today - days(self.rng.range(200, 9000));
            // Re-evaluated on schedule, except that about one holding in six has slipped.
            let last = interval.and_then(|months| {
                let (mut last, mut previous) = (None, None);
                let mut due = add_months(awarded, months);
                while due <= self.today {
                    previous = last;
                    last = Some(due);
                    due = add_months(due, months);
                }
                if self.rng.chance(16) { previous } else { last }
            });
            let status = *self.rng.pick(&[
                "active",
                "active",
                "active",
                "active",
                "active",
                "suspended",
            ]);
            let id = take(&mut self.ids.title);
            let created = at(awarded, &mut self.rng);
            self.tables.school_titles.row(&[
                V::Int(id),
                V::Int(school.id),
                V::Int(type_id),
                V::Date(awarded),
                V::opt_date(last),
                V::Text(status),
                V::Ts(created),
                V::Ts(created),
            ]);
            school.titles.push((id, type_id));
        }
        if self.rng.chance(70) {
            let issued = self.today - days(self.rng.range(0, 1200));
            let id = take(&mut self.ids.certificate);
            self.tables.certificates.row(&[
                V::Int(id),
                V::Int(school.id),
                V::Text("ISO 9001:2015"),
                V::Text(self.rng.pick::<&str>(&BODIES)),
                V::Text(&format!(
                    "{:05}Q{:05}R{}M",
                    id % 100_000,
                    school.id % 100_000,
                    1 + id % 3
                )),
                V::Text("Design and provision of vocational education and skills training"),
                V::Date(issued),
                V::Date(add_months(issued, 36)),
                V::Ts(at(issued, &mut self.rng)),
            ]);
        }
    }

    fn audits(&mut self, school: &mut SchoolFacts) {
        let span = i64::from(INDICATOR_YEARS) * 365;
        let mut starts: Vec<Date> = (0..AUDITS_PER_SCHOOL)
            .map(|_| self.today - days(self.rng.range(5, span)))
            .collect();
        starts.sort();
        for started in starts {
            let kind = *self.rng.pick(&[
                "internal",
                "internal",
                "internal",
                "management_review",
                "surveillance",
                "surveillance",
                "recertification",
                "certification_stage2",
                "provincial_inspection",
            ]);
            let standard = if started.year() >= 2016 {
                "ISO 9001:2015"
            } else {
                "ISO 9001:2008"
            };
            let ended = started + days(self.rng.range(1, 3));
            let (zh, en) = name_of(&mut self.rng);
            let auditor = format!("{zh} {en}");
            let body = if kind == "internal" || kind == "management_review" {
                None
            } else {
                Some(*self.rng.pick(&BODIES))
            };
            let age = (self.today - started).whole_days();
            let verified =
                (age > 60 && self.rng.chance(40)).then(|| ended + days(self.rng.range(10, 50)));
            let id = take(&mut self.ids.audit);
            let created = at(started, &mut self.rng);
            let summary = format!(
                "{} findings across teaching, training and support processes.",
                FINDINGS_PER_AUDIT
            );
            self.tables.audits.row(&[
                V::Int(id),
                V::Int(school.id),
                V::Text(kind),
                V::Text(standard),
                V::Date(started),
                V::Date(ended),
                V::Text(&auditor),
                V::opt_text(body),
                V::Text("All departments and the practical training centre"),
                V::Text(&summary),
                V::opt_date(verified),
                V::Ts(created),
                V::Ts(created),
            ]);
            school.audits.push((id, started));
            for _ in 0..FINDINGS_PER_AUDIT {
                self.finding(school, id, ended, age);
            }
        }
    }

    fn finding(&mut self, school: &mut SchoolFacts, audit_id: i64, ended: Date, age: i64) {
        let clause = self.rng.pick(CLAUSES);
        let grade =
            ["major_nc", "minor_nc", "observation", "ofi"][self.rng.weighted(&[5, 35, 30, 30])];
        let due = ended + days(self.rng.range(30, 90));
        // Old audits' findings are settled; recent ones are still being worked on.
        let status = if age > 400 {
            ["verified", "closed", "action_planned", "open"][self.rng.weighted(&[85, 12, 2, 1])]
        } else if age > 120 {
            ["verified", "closed", "action_planned", "open"][self.rng.weighted(&[40, 25, 20, 15])]
        } else {
            ["verified", "closed", "action_planned", "open"][self.rng.weighted(&[5, 10, 40, 45])]
        };
        let reopened = status != "verified" && age > 120 && self.rng.chance(3);
        let id = take(&mut self.ids.finding);
        let created = at(ended, &mut self.rng);
        let description = format!(
            "{} ({} {})",
            self.rng.pick(&FINDING_TEXT),
            clause.number,
            clause.title_en
        );
        self.tables.findings.row(&[
            V::Int(id),
            V::Int(audit_id),
            V::Int(school.id),
            V::Text(clause.number),
            V::Text(grade),
            V::Text(&description),
            V::Date(due),
            V::Text(status),
            V::opt_text(reopened.then_some("The action did not prevent a recurrence.")),
            V::Ts(created),
            V::Ts(created),
        ]);
        school.findings.push(id);
        let planned = status != "open";
        let done = matches!(status, "closed" | "verified");
        let done_on = done.then(|| due - days(self.rng.range(0, 25)));
        let verified_on = (status == "verified").then(|| due + days(self.rng.range(5, 40)));
        let (zh, en) = name_of(&mut self.rng);
        let owner = format!("{zh} {en}");
        let (zh, en) = name_of(&mut self.rng);
        let verifier = format!("{zh} {en}");
        let root = *self.rng.pick(&ROOT_CAUSES);
        let action = *self.rng.pick(&ACTIONS);
        let updated = at(verified_on.or(done_on).unwrap_or(ended), &mut self.rng);
        self.tables.corrective_actions.row(&[
            V::Int(id),
            V::opt_text(planned.then_some(root)),
            V::opt_text(planned.then_some(action)),
            V::opt_text(planned.then_some(owner.as_str())),
            V::opt_date(planned.then_some(due)),
            V::opt_date(done_on),
            V::opt_text(verified_on.map(|_| verifier.as_str())),
            V::opt_date(verified_on),
            verified_on.map_or(V::Null, |_| V::Bool(true)),
            V::opt_text(
                verified_on.map(|_| "Sampled records of the following term: no recurrence."),
            ),
            V::Ts(updated),
        ]);
    }

    /// One year's figures of a school, grown from last year's.
    fn year_figures(&mut self, base: &mut YearBase, full: bool) -> Vec<(&'static str, i64)> {
        base.students = (base.students * self.rng.range(96, 110) / 100).max(200);
        base.building = base.building * self.rng.range(100, 106) / 100;
        base.equipment = base.equipment * self.rng.range(100, 115) / 100;
        base.books = base.books * self.rng.range(100, 108) / 100;
        let students = base.students;
        let teachers = students / self.rng.range(14, 22);
        let graduates = students * self.rng.range(25, 33) / 100;
        let employed = graduates * self.rng.range(90, 99) / 100;
        let appraised = students * self.rng.range(30, 100) / 100;
        let mut figures = vec![
            ("students", students),
            ("teachers", teachers),
            ("senior_appraisers", teachers * self.rng.range(8, 30) / 100),
            ("campus_area_m2", base.campus),
            ("building_area_m2", base.building),
            ("equipment_value_cny", base.equipment),
            ("graduates", graduates),
            (
                "training_person_times",
                students * self.rng.range(50, 300) / 100,
            ),
        ];
        if !self.rng.chance(2) {
            figures.push(("computers", students / self.rng.range(3, 8)));
        }
        if full {
            figures.extend([
                ("enrolled", students * self.rng.range(30, 38) / 100),
                ("graduates_employed", employed),
                (
                    "graduates_employed_in_field",
                    employed * self.rng.range(60, 90) / 100,
                ),
                (
                    "dual_qualified_teachers",
                    teachers * self.rng.range(25, 70) / 100,
                ),
                (
                    "part_time_industry_teachers",
                    teachers * self.rng.range(10, 40) / 100,
                ),
                ("programmes_offered", self.rng.range(5, 40)),
                (
                    "training_workstations",
                    students * self.rng.range(30, 80) / 100,
                ),
                ("library_books", base.books),
                ("appraisal_person_times", appraised),
                ("appraisal_passes", appraised * self.rng.range(70, 95) / 100),
                ("enterprise_agreements", self.rng.range(3, 60)),
            ]);
        }
        figures
    }

    fn figures_rows(&mut self, school: i64, year: i32, figures: &[(&'static str, i64)]) {
        for (code, value) in figures {
            if let Some((_, id)) = self.indicators.iter().find(|(c, _)| c == code) {
                self.tables.status_figures.row(&[
                    V::Int(school),
                    V::Int(i64::from(year)),
                    V::Int(*id),
                    V::Int(*value),
                ]);
            }
        }
    }

    /// Twenty accepted years, then where the school stands in this year's round.
    fn status_data(&mut self, school: &SchoolFacts) {
        let students = self.rng.range(600, 6000);
        let campus = self.rng.range(40_000, 400_000);
        let mut base = YearBase {
            students,
            campus,
            building: campus / self.rng.range(2, 4),
            equipment: self.rng.range(3_000_000, 60_000_000),
            books: students * self.rng.range(20, 45),
        };
        let last_year = self.today.year() - 1;
        for year in last_year - INDICATOR_YEARS + 1..=last_year {
            let full = year > last_year - FULL_YEARS;
            let figures = self.year_figures(&mut base, full);
            self.figures_rows(school.id, year, &figures);
            let locked = at(
                Date::from_calendar_date(year + 1, Month::April, 30).unwrap_or(self.today),
                &mut self.rng,
            );
            self.tables.school_years.row(&[
                V::Int(school.id),
                V::Int(i64::from(year)),
                V::Text("{}"),
                V::Ts(locked),
                V::Null,
                V::Ts(locked),
            ]);
        }
        // This year: not started, in progress, submitted, accepted or returned.
        let year = self.today.year();
        let stage = self.rng.weighted(&[25, 35, 20, 15, 5]);
        if stage == 0 {
            return;
        }
        let figures = self.year_figures(&mut base, true);
        self.figures_rows(school.id, year, &figures);
        let submission = (stage >= 2).then(|| take(&mut self.ids.submission));
        let touched = at(self.today - days(self.rng.range(1, 40)), &mut self.rng);
        self.tables.school_years.row(&[
            V::Int(school.id),
            V::Int(i64::from(year)),
            V::Text("{}"),
            if stage == 3 { V::Ts(touched) } else { V::Null },
            match (stage, submission) {
                (3, Some(id)) => V::Int(id),
                _ => V::Null,
            },
            V::Ts(touched),
        ]);
        let Some(id) = submission else {
            return;
        };
        let status = ["submitted", "approved", "changes_requested"][stage - 2];
        let reviewer = *self.rng.pick(&self.reviewers[school.province]);
        let title = format!("Status data {year} / {year} 年办学状态数据");
        self.tables.submissions.row(&[
            V::Int(id),
            V::Int(school.id),
            V::Text("status_data"),
            V::Text(&title),
            V::Null,
            V::Null,
            V::Null,
            V::Null,
            V::Null,
            V::Int(i64::from(year)),
            V::Text(status),
            V::Int(if status == "changes_requested" { 2 } else { 1 }),
            if status == "approved" {
                V::Int(reviewer)
            } else {
                V::Null
            },
            V::Int(school.officer),
            V::Ts(touched),
            V::Ts(touched),
            V::Ts(touched),
        ]);
        let content = figures
            .iter()
            .map(|(code, value)| format!("\"{code}\":{value}"))
            .collect::<Vec<_>>()
            .join(",");
        self.tables.submission_contents.row(&[
            V::Int(id),
            V::Int(1),
            V::Text(&format!(
                "{{\"year\":{year},\"figures\":{{{content}}},\"derived\":{{}},\"flags\":[],\"explanations\":{{}}}}"
            )),
        ]);
    }

    fn submissions(&mut self, school: &SchoolFacts) {
        let reviewers = self.reviewers[school.province].clone();
        let admin = self.admins[school.province];
        for k in 0..SUBMISSIONS_PER_SCHOOL {
            let status = [
                "draft",
                "submitted",
                "recommended",
                "approved",
                "changes_requested",
                "rejected",
                "withdrawn",
            ][self.rng.weighted(&[12, 14, 10, 38, 12, 7, 7])];
            // Final states are older; open ones are recent.
            let age = if matches!(status, "approved" | "rejected" | "withdrawn") {
                self.rng.range(60, 3650)
            } else {
                self.rng.range(1, 90)
            };
            let created_on = self.today - days(age);
            let kind = [
                "annual_quality_report",
                "audit_report",
                "corrective_action_closure",
                "title_reevaluation",
                "title_application",
            ][self.rng.weighted(&[30, 25, 25, 12, 8])];
            let (mut type_id, mut holding, mut audit, mut finding, mut year) =
                (None, None, None, None, None);
            let mut held_type = None;
            let title = match kind {
                "audit_report" => {
                    let (id, started) = *self.rng.pick(&school.audits);
                    audit = Some(id);
                    format!("Audit report of {started}")
                }
                "corrective_action_closure" => {
                    let id = *self.rng.pick(&school.findings);
                    finding = Some(id);
                    format!("Closure of finding {id}")
                }
                "title_reevaluation" if !school.titles.is_empty() => {
                    let (id, t) = *self.rng.pick(&school.titles);
                    holding = Some(id);
                    held_type = Some(t);
                    format!("Re-evaluation of title {t}")
                }
                "title_application" => {
                    let t = self.rng.pick(&self.title_types).id;
                    type_id = Some(t);
                    format!("Application for title {t}")
                }
                _ => {
                    let y = created_on.year() - 1;
                    year = Some(i64::from(y));
                    format!("Annual quality report {y} / {y}年度质量报告")
                }
            };
            let kind = if holding.is_none() && kind == "title_reevaluation" {
                "annual_quality_report"
            } else {
                kind
            };
            if kind == "annual_quality_report" && year.is_none() {
                year = Some(i64::from(created_on.year() - 1));
            }
            // The path the submission took, as (action, from, to, actor, round).
            let reviewer = *self.rng.pick(&reviewers);
            let steps = self.path(status, reviewer, admin, school.officer);
            let rounds = 1 + steps.iter().filter(|s| s.2 == "changes_requested").count() as i64;
            let recommended_by = match status {
                "recommended" | "approved" => Some(reviewer),
                "rejected" if steps.iter().any(|s| s.0 == "review:recommend") => Some(reviewer),
                _ => None,
            };
            let mut moment = at(created_on, &mut self.rng);
            let created = moment;
            let id = take(&mut self.ids.submission);
            self.evidence_rows(id, rounds, &mut moment, school.officer);
            let mut round = 1;
            let mut last_submit = None;
            let mut event_time = created + Duration::hours(2);
            for (action, from, to, actor) in &steps {
                if *to == "changes_requested" {
                    round += 1;
                }
                if *action == "submit" {
                    last_submit = Some(event_time);
                }
                let comment = match *action {
                    "submit" | "withdraw" => None,
                    "review:request_changes" => {
                        Some("Please add the signed minutes of the management review.")
                    }
                    "review:reject" | "sign_off:reject" => {
                        Some("The evidence does not show the requirement is met.")
                    }
                    _ => Some("Complete and consistent with the school's record."),
                };
                let event = take(&mut self.ids.event);
                self.tables.submission_events.row(&[
                    V::Int(event),
                    V::Int(id),
                    V::Ts(event_time),
                    V::Int(*actor),
                    V::Text(action),
                    V::opt_text(*from),
                    V::Text(to),
                    V::Int(round),
                    V::opt_text(comment),
                ]);
                event_time += Duration::hours(self.rng.range(4, 200));
            }
            let updated = if steps.is_empty() {
                created
            } else {
                event_time
            };
            let summary = format!(
                "Prepared by the quality office, submission {} of the year.",
                k + 1
            );
            self.evaluation(
                id,
                school.province,
                type_id.or(held_type),
                status,
                school.officer,
                created,
            );
            self.tables.submissions.row(&[
                V::Int(id),
                V::Int(school.id),
                V::Text(kind),
                V::Text(&title),
                V::Text(&summary),
                V::opt_int(type_id),
                V::opt_int(holding),
                V::opt_int(audit),
                V::opt_int(finding),
                V::opt_int(year),
                V::Text(status),
                V::Int(rounds),
                V::opt_int(recommended_by),
                V::Int(school.officer),
                last_submit.map_or(V::Null, V::Ts),
                V::Ts(created),
                V::Ts(updated),
            ]);
        }
    }

    /// The path a submission took to `status`, as (action, from, to, actor): sometimes
    /// sent back once for changes first.
    fn path(&mut self, status: &str, reviewer: i64, admin: i64, officer: i64) -> Vec<Step> {
        let twice = self.rng.chance(20);
        let mut steps: Vec<Step> = Vec::new();
        if twice && status != "draft" && status != "withdrawn" {
            steps.push(("submit", Some("draft"), "submitted", officer));
            steps.push((
                "review:request_changes",
                Some("submitted"),
                "changes_requested",
                reviewer,
            ));
        }
        let start = if steps.is_empty() {
            "draft"
        } else {
            "changes_requested"
        };
        match status {
            "submitted" => steps.push(("submit", Some(start), "submitted", officer)),
            "recommended" | "approved" => {
                steps.push(("submit", Some(start), "submitted", officer));
                steps.push((
                    "review:recommend",
                    Some("submitted"),
                    "recommended",
                    reviewer,
                ));
                if status == "approved" {
                    steps.push(("sign_off:approve", Some("recommended"), "approved", admin));
                }
            }
            "changes_requested" => {
                steps.push(("submit", Some(start), "submitted", officer));
                steps.push((
                    "review:request_changes",
                    Some("submitted"),
                    "changes_requested",
                    reviewer,
                ));
            }
            "rejected" => {
                steps.push(("submit", Some(start), "submitted", officer));
                if self.rng.chance(50) {
                    steps.push(("review:reject", Some("submitted"), "rejected", reviewer));
                } else {
                    steps.push((
                        "review:recommend",
                        Some("submitted"),
                        "recommended",
                        reviewer,
                    ));
                    steps.push(("sign_off:reject", Some("recommended"), "rejected", admin));
                }
            }
            "withdrawn" => steps.push(("withdraw", Some(start), "withdrawn", officer)),
            _ => {}
        }
        steps
    }

    /// The evidence of every round, uploaded on the day the round was prepared.
    fn evidence_rows(
        &mut self,
        id: i64,
        rounds: i64,
        moment: &mut PrimitiveDateTime,
        officer: i64,
    ) {
        for round in 1..=rounds {
            for e in 0..self.rng.range(1, 3) {
                let evidence = take(&mut self.ids.evidence);
                let (filename, content_type) = *self.rng.pick(&[
                    ("质量报告.pdf", "application/pdf"),
                    ("audit-report.pdf", "application/pdf"),
                    (
                        "记录表.xlsx",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    ),
                    ("photo.jpg", "image/jpeg"),
                    (
                        "整改说明.docx",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    ),
                ]);
                let sha = self.rng.hex(32);
                let size = self.rng.range(40_000, 12_000_000);
                let uploaded = *moment + Duration::minutes(10 * (e + 1));
                self.tables.evidence_files.row(&[
                    V::Int(evidence),
                    V::Int(id),
                    V::Int(round),
                    V::Text(filename),
                    V::Text(content_type),
                    V::Int(size),
                    V::Text(&sha),
                    V::opt_text((e == 0).then_some("Main document of this round")),
                    V::Int(officer),
                    V::Ts(uploaded),
                ]);
            }
            if round < rounds {
                *moment += days(self.rng.range(3, 20));
            }
        }
    }

    /// A few consulting grants between schools of a province, and one programme per province.
    fn grants_and_programmes(&mut self, conn: &mut DbConn, schools: usize) -> anyhow::Result<()> {
        let first = self.ids.school - schools as i64;
        for _ in 0..(schools / 50).max(1) {
            let granting = first + self.rng.below(schools as u64) as i64;
            let consultant = first + self.rng.below(schools as u64) as i64;
            if granting == consultant {
                continue;
            }
            let id = take(&mut self.ids.grant);
            let until = self.today + days(self.rng.range(-60, 400));
            self.tables.consulting_grants.row(&[
                V::Int(id),
                V::Int(granting),
                V::Int(consultant),
                V::Date(until),
                V::Bool(self.rng.chance(50)),
                V::Null,
                V::Ts(self.now - days(self.rng.range(1, 300))),
            ]);
        }
        let double_high = self.title_types.get(6).map(|t| t.id);
        for (p, (_, name, zh, weight, _)) in PROVINCES.iter().enumerate() {
            let id = take(&mut self.ids.programme);
            let target = (schools as u64 * u64::from(*weight) / 1500).max(2) as i64;
            self.tables.programmes.row(&[
                V::Int(id),
                V::Int(self.province_ids[p]),
                V::Text(&format!("{zh}“双高”建设计划 / {name} double-high plan")),
                V::opt_int(double_high),
                V::Null,
                V::Null,
                V::Int(target),
                V::Date(
                    Date::from_calendar_date(self.today.year() + 2, Month::December, 31)
                        .unwrap_or(self.today),
                ),
                V::Ts(self.now - days(200)),
            ]);
        }
        self.tables.flush(conn)
    }
}

/// A progress bar on a terminal; a line per tenth otherwise (logs, CI).
struct Progress {
    total: usize,
    started: Instant,
    terminal: bool,
    last_tenth: usize,
}

impl Progress {
    fn new(total: usize) -> Progress {
        Progress {
            total,
            started: Instant::now(),
            terminal: std::io::stderr().is_terminal(),
            last_tenth: 0,
        }
    }

    fn show(&mut self, done: usize, findings: u64) {
        let elapsed = self.started.elapsed().as_secs_f64();
        let fraction = done as f64 / self.total.max(1) as f64;
        let eta = if done > 0 {
            elapsed / fraction - elapsed
        } else {
            0.0
        };
        let line = format!(
            "{done:>6}/{} schools · {findings:>8} findings · {elapsed:>5.0} s, about {eta:.0} s to go",
            self.total
        );
        if self.terminal {
            let width = 30;
            let filled = (fraction * width as f64) as usize;
            let mut stderr = std::io::stderr().lock();
            let _ = write!(
                stderr,
                "\r[{}{}] {:>3.0}% {line}",
                "#".repeat(filled),
                "-".repeat(width - filled),
                fraction * 100.0
            );
            let _ = stderr.flush();
        } else {
            let tenth = done * 10 / self.total.max(1);
            if tenth > self.last_tenth {
                self.last_tenth = tenth;
                eprintln!("{:>3}% {line}", tenth * 10);
            }
        }
    }

    fn finish(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let mut a = Rng(7);
        let mut b = Rng(7);
        let first: Vec<u64> = (0..5).map(|_| a.next()).collect();
        assert_eq!(first, (0..5).map(|_| b.next()).collect::<Vec<_>>());
        assert_ne!(first, (0..5).map(|_| Rng(8).next()).collect::<Vec<_>>());
    }

    #[test]
    fn numbers_stay_in_their_range() {
        let mut rng = Rng(1);
        for _ in 0..10_000 {
            let n = rng.range(-3, 3);
            assert!((-3..=3).contains(&n));
            assert!(rng.below(7) < 7);
        }
        let mut counts = [0; 3];
        for _ in 0..30_000 {
            counts[rng.weighted(&[1, 0, 2])] += 1;
        }
        assert_eq!(counts[1], 0);
        assert!((9_000..11_000).contains(&counts[0]), "{counts:?}");
    }

    #[test]
    fn literals_are_quoted() {
        let mut out = String::new();
        for value in [
            V::Text("Xi'an"),
            V::Int(-4),
            V::Null,
            V::Bool(true),
            V::Date(time::macros::date!(2024 - 02 - 29)),
            V::Ts(time::macros::datetime!(2024-02-29 08:05:09)),
        ] {
            write_value(&mut out, &value);
            out.push(' ');
        }
        assert_eq!(
            out,
            "'Xi''an' -4 NULL TRUE '2024-02-29' '2024-02-29 08:05:09' "
        );
    }
}
