//! Every message accredit says to a person about what went wrong, with a stable code and
//! its text in each language. Validators return a `Msg`; the answer (a page, the API's
//! `fields`, a mail) renders it in the reader's language at the last moment.
//!
//! One line per message: `Variant { arguments } => "code", "English", "中文";`. The texts
//! are `format!` strings over the variant's arguments, so a message cannot lose its
//! translation or an argument.

use std::fmt;

use crate::domain::lang::Lang;

macro_rules! messages {
    ($($variant:ident $({ $($field:ident : $ty:ty),* $(,)? })? => $code:literal, $en:literal, $zh:literal;)*) => {
        /// A message for a person, in no language yet.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Msg {
            $($variant $({ $($field: $ty),* })?),*
        }

        impl Msg {
            /// The message's stable snake_case code, for programs.
            pub fn code(&self) -> &'static str {
                match self {
                    $(Msg::$variant { .. } => $code),*
                }
            }

            /// The message in `lang`.
            pub fn text(&self, lang: Lang) -> String {
                match self {
                    $(Msg::$variant $({ $($field),* })? => match lang {
                        Lang::En => format!($en),
                        Lang::ZhCn => format!($zh),
                    }),*
                }
            }
        }

        #[cfg(test)]
        pub(crate) const ALL_CODES: &[&str] = &[$($code),*];
    };
}

messages! {
    // Free text and numbers typed by people
    Required => "required", "must not be empty", "不能为空";
    TooLong { max: usize } => "too_long", "must be at most {max} characters", "不能超过 {max} 个字符";
    TooShort { min: usize } => "too_short", "must be at least {min} characters", "至少需要 {min} 个字符";
    ControlCharacters => "control_characters", "must not contain control characters", "不能包含控制字符";
    InvisibleCharacters => "invisible_characters",
        "must not contain invisible or text-direction characters",
        "不能包含不可见字符或改变文字方向的字符";
    NotEmail => "not_email", "is not an e-mail address", "不是有效的电子邮件地址";
    NotDate => "not_date", "must be a real date written YYYY-MM-DD", "必须是 YYYY-MM-DD 格式的有效日期";
    DateOutOfRange { min: String, max: String } => "date_out_of_range",
        "must be a date between {min} and {max}", "必须是 {min} 至 {max} 之间的日期";
    OneOf { choices: String } => "one_of", "must be one of {choices}", "必须是以下之一：{choices}";
    NotYear => "not_year", "must be a year", "必须是年份";
    YearBetween { min: i32, max: i32 } => "year_out_of_range",
        "must be a year between {min} and {max}", "必须是 {min} 至 {max} 年之间的年份";
    NotNumber => "not_number", "must be a number", "必须是数字";
    WholeNumber => "whole_number", "must be a whole number", "必须是整数";
    NotNegative => "negative", "must not be negative", "不能为负数";
    TooLarge => "too_large", "is too large", "数值过大";
    Between { min: String, max: String } => "out_of_range",
        "must be between {min} and {max}", "必须在 {min} 与 {max} 之间";
    AtLeast { min: String } => "too_small", "must be at least {min}", "不能小于 {min}";
    AtMost { max: String } => "too_big", "must be at most {max}", "不能大于 {max}";
    Positive => "not_positive", "must be a positive number", "必须是正数";
    Percentage => "not_percentage", "must be a percentage between 0 and 100", "必须是 0 至 100 之间的百分比";
    IntervalMonths => "interval_months",
        "must be between 1 and 240 months (leave it out for a permanent title)",
        "必须在 1 至 240 个月之间（永久称号不填）";
    Format { choices: String } => "format", "must be {choices}", "必须是 {choices}";
    Choose => "choose", "choose one", "请选择一项";

    // Codes and catalogues
    ProvinceCode => "province_code", "must be 2 to 10 letters or digits, e.g. FJ", "必须是 2 至 10 个字母或数字，如 FJ";
    CatalogueCode => "catalogue_code",
        "must be 2 to 80 lower-case letters, digits or _", "必须是 2 至 80 个小写字母、数字或下划线";
    NoProvince => "no_province", "names no province", "没有这个省份";
    NoSchool => "no_school", "names no school", "没有这所学校";
    NoOtherSchool => "no_other_school", "names no other school", "没有这所（其他）学校";
    NoTitle => "no_title", "names no title in the catalogue", "称号目录中没有这个称号";
    NoIndicator => "no_indicator", "names no indicator of the catalogue", "指标目录中没有这个指标";
    NotOfThisSchool => "not_of_this_school", "names nothing of this school", "不属于本校";
    NotInProvince => "not_in_province", "is not in the given province", "不在所填省份";
    RequiredForKind { kind: String } => "required_for_kind", "is required for a {kind}", "{kind} 必须填写此项";
    RequiredForRole { role: String } => "required_for_role", "is required for the role {role}", "角色 {role} 必须填写此项";
    EmptyForRole { role: String } => "empty_for_role", "must be empty for the role {role}", "角色 {role} 不应填写此项";
    EmptyForAdmin => "empty_for_admin", "must be empty for an admin", "管理员不应填写此项";
    ClauseUnknown => "clause_unknown",
        "is not a clause of ISO 9001:2015 (4 to 10.3, e.g. 8.5.1)",
        "不是 ISO 9001:2015 的条款（4 至 10.3，如 8.5.1）";

    // Dates that must agree with each other
    BeforeStart => "before_start", "cannot be before the start", "不能早于开始日期";
    InFuture => "in_future", "cannot be in the future", "不能晚于今天";
    InPast => "in_past", "cannot be in the past", "不能早于今天";
    BeforeAward => "before_award", "cannot be before the award", "不能早于授予日期";
    BeforeDone => "before_done", "cannot be before the action was done", "不能早于措施完成日期";
    NotAfterIssue => "not_after_issue", "must be after the issue date", "必须晚于发证日期";

    // People and accounts
    NotCurrentPassword => "not_current_password", "is not your current password", "不是您当前的密码";
    OwnAccount => "own_account", "you cannot deactivate your own account", "不能停用自己的账户";
    DuplicateEmail => "duplicate_email", "a user with this e-mail address already exists", "已有用户使用此电子邮件地址";
    InvalidCredentials => "invalid_credentials", "the e-mail address or the password is wrong", "电子邮件地址或密码错误";
    SignInFirst => "sign_in_first", "sign in first", "请先登录";
    TokenInvalid => "token_invalid", "the token is invalid or has expired", "令牌无效或已过期";
    SessionEnded => "session_ended", "the session has ended; sign in again", "会话已结束，请重新登录";
    SessionIdle => "session_idle",
        "the session ended after a time without use; sign in again", "会话因长时间未操作已结束，请重新登录";
    PasswordClasses { needed: u8 } => "password_classes",
        "needs characters of at least {needed} kinds: lower case, upper case, digits, symbols",
        "至少需要包含小写字母、大写字母、数字、符号中的 {needed} 类字符";
    SameAsCurrent => "same_as_current", "must differ from the current password", "不能与当前密码相同";
    PasswordChangeRequired => "password_change_required",
        "this account was set up by someone else: choose your own password first",
        "此账户由他人创建，请先设置您自己的密码";
    RobotUrl { host: String } => "robot_url",
        "must be an https:// address on {host} (or on a host the operator allows)",
        "必须是 {host} 上的 https:// 地址（或运维人员允许的主机）";
    RobotEventsEmpty => "robot_events_empty", "choose at least one event", "请至少选择一个事件";
    SecretOnlyDingTalk => "secret_only_dingtalk",
        "only a DingTalk robot is signed with a secret", "只有钉钉机器人使用加签密钥";
    ExternalIdTaken => "external_id_taken",
        "another account already has this identity-platform id", "已有其他账户使用此统一身份认证编号";
    ConsultantMissing => "consultant_missing",
        "type the consulting school's name or number", "请输入咨询学校的名称或编号";
    ConsultantUnknown => "consultant_unknown",
        "no other school of the province has this name", "本省没有其他学校使用此名称";
    ConsultantAmbiguous => "consultant_ambiguous",
        "several schools of the province match; type more of the name", "本省有多所学校符合，请输入更完整的名称";

    // Programmes
    TitleOrIndicator => "title_or_indicator", "give a title or an indicator, not both", "请填写称号或指标之一，不要同时填写";
    TitleOrIndicatorMissing => "title_or_indicator_missing",
        "give a title or an indicator to count", "请填写要统计的称号或指标";
    ThresholdRequired => "threshold_required",
        "is required: the least value that counts", "必须填写：计入统计的最低数值";

    // Evaluation standards
    HalfPoints => "half_points", "must be a number of points in steps of 0.5", "必须是以 0.5 分为单位的分值";
    CriterionRef => "criterion_ref",
        "must be 1 to 20 letters, digits, dots or hyphens, e.g. 2.3", "必须是 1 至 20 个字母、数字、点或连字符，如 2.3";
    DuplicateRef => "duplicate_ref", "is the number of another criterion", "与另一评估项目的编号重复";
    NoParent => "no_parent", "names no criterion of this standard", "本标准中没有这个评估项目";
    ParentCycle => "parent_cycle", "would make a criterion its own parent", "会使评估项目成为自己的上级";
    TooDeep { max: usize } => "too_deep", "nests more than {max} levels deep", "嵌套超过 {max} 级";
    LeafNeedsPoints => "leaf_needs_points",
        "an item needs its points, or must be a veto item", "评估项目须有分值，或标为否决项";
    VetoNoPoints => "veto_no_points", "a veto item carries no points", "否决项不计分值";
    GroupVeto => "group_veto",
        "only an item without sub-items can be a veto item", "只有不含下级项目的项目才能设为否决项";
    GroupPoints { sum: String } => "group_points",
        "must be the sum of its items' points ({sum}), or left empty", "须等于下级项目分值之和（{sum}），或不填";
    PassAboveTotal { total: String } => "pass_above_total",
        "cannot be more than the standard's total points ({total})", "不能高于标准总分（{total}）";
    StandardVersionTaken { code: String, version: i32 } => "standard_version_taken",
        "standard {code} already has a version {version}; give the next version a new number",
        "标准 {code} 已有第 {version} 版，新版本请使用新的版本号";
    NotYourProvince => "not_your_province", "is not your province", "不是您所在的省份";
    YesNo => "yes_no", "must be 是 or 否 (yes or no)", "必须填写“是”或“否”";
    HeaderTwice => "header_twice", "names a column that another header cell names too", "与另一表头单元格重复";
    HeaderAmbiguous => "header_ambiguous", "names more than one column key", "包含多个列名";
    HeaderMissing { key: String } => "header_missing",
        "the first row has no column {key}", "第一行缺少 {key} 列";
    TooManyRows { max: usize } => "too_many_rows", "has more than {max} rows", "超过 {max} 行";
    NoCriteria => "no_criteria", "lists no criteria", "没有评估项目";
    EvaluationLocked { status: String } => "evaluation_locked",
        "the evaluation cannot change while the submission is {status}", "申报处于 {status} 状态，评估不能修改";
    EvaluationIncomplete => "evaluation_incomplete",
        "every item of the evaluation needs its assessment first", "请先完成评估中每个项目的评分";
    NotSelfAssessed => "not_self_assessed", "is not assessed yet", "尚未自评";
    NoEvaluationForKind => "no_evaluation_for_kind",
        "only a title application or re-evaluation is evaluated against a standard", "只有称号申报或复评才按评估标准评估";
    StandardNotForTitle => "standard_not_for_title",
        "names no standard you may use for this title", "不是可用于此称号的评估标准";
    GroupNotScored => "group_not_scored",
        "is a group: its score is the sum of its items'", "是分组：其得分为下级项目得分之和";
    MetOnlyForVeto => "met_only_for_veto",
        "only a veto item is judged met or not met", "只有否决项才判定达标与否";
    NotOfThisSubmission => "not_of_this_submission",
        "is no evidence file of this submission", "不是本申报的证明材料";

    // The public notice and objections
    NoticeTooShort { days: i64 } => "notice_too_short",
        "a notice stays open at least {days} days", "公示期不少于 {days} 天";
    NotRecommended => "not_recommended",
        "is no recommended application of the province with an agreed evaluation",
        "不是本省已推荐且已完成合议的申报";
    AlreadyOnNotice { notice: i64 } => "already_on_notice",
        "is already on notice {notice}, which has not closed", "已在尚未结束的第 {notice} 号公示中";
    NoticeRequired => "notice_required",
        "the result must first be published for objections (公示) and the notice closed",
        "须先公示评估结果，且公示期结束后方可批准";
    NoticeOpen => "notice_open", "the result's public notice is still open", "评估结果仍在公示期内";
    ObjectionPending => "objection_pending",
        "an objection to the result has not been resolved", "尚有异议未处理";
    ObjectionUpheld => "objection_upheld",
        "an objection to the result was upheld: it can only be rejected or sent back",
        "异议成立：只能不予批准或退回修改";
    NoticeClosed => "notice_closed", "the notice is not open for objections", "该公示不在异议受理期内";
    NotOnNotice => "not_on_notice", "is not on this notice", "不在本公示中";
    ListedTwice => "listed_twice", "is listed twice", "重复列出";
    ObjectionResolved => "objection_resolved", "the objection was already resolved", "该异议已处理";

    // The expert panel
    OnlyForExperts => "only_for_experts", "only an expert's account has an end date", "只有评估专家的账户可设聘期";
    PanelNotOpen { status: String } => "panel_not_open",
        "a panel is formed while the submission is submitted, not while it is {status}",
        "专家组须在申报提交后组建，当前为 {status} 状态";
    ConsensusBegun => "consensus_begun",
        "the panel cannot change once its lead has begun the consensus", "组长已开始合议，专家组不能再调整";
    DuplicateMember => "duplicate_member", "names someone already on the panel", "与专家组中已有成员重复";
    NoSuchPanelist => "no_such_panelist",
        "is no expert or reviewer of the school's province", "不是该校所在省份的评估专家或评审员";
    AppointmentEnded { on: String } => "appointment_ended",
        "the expert's appointment ended on {on}", "该专家的聘期已于 {on} 结束";
    PanelTooLarge { max: usize } => "panel_too_large",
        "a panel has at most {max} people", "专家组最多 {max} 人";
    ConflictOfInterest => "conflict_of_interest",
        "someone proposed for the panel has a conflict of interest with the school",
        "拟选专家与该校存在利益冲突";
    ConflictOwnSchool => "conflict_own_school", "works at the school evaluated", "来自被评学校";
    ConflictConsulting { years: i32 } => "conflict_consulting",
        "works at a school in a consulting relationship with it (now or within {years} years)",
        "所在学校与被评学校存在咨询关系（现在或 {years} 年内）";
    ConflictSubmitter => "conflict_submitter", "prepared or handed in the submission", "是本申报的编制或提交人";
    ConflictDeclared => "conflict_declared", "declared a conflict of interest with the school", "已申报与该校存在利益冲突";
    ScoresSealed => "scores_sealed", "the scores are sealed and cannot change", "评分已封存，不能修改";
    DeductionNeedsReason => "deduction_needs_reason",
        "a score below the item's points, or an item not met, needs the reason (扣分原因)",
        "扣分或判定不达标须填写扣分原因";
    NotScored => "not_scored", "is not scored yet", "尚未评分";
    PanelNotSealed => "panel_not_sealed",
        "the consensus waits until every member of the panel has sealed their scores",
        "须待专家组全体成员封存评分后方可合议";
    DepartureNeedsNote => "departure_needs_note",
        "a consensus other than the median of the experts' scores needs a note",
        "合议分与专家评分中位数不同时须说明理由";
    NoConsensus => "no_consensus", "has no consensus score yet", "尚无合议分";
    EvaluationFailed => "evaluation_failed",
        "the panel's consensus does not pass the standard: it cannot be recommended",
        "专家组合议结果未达到标准，不能推荐";

    // Findings and their corrective actions
    ActionIncomplete => "action_incomplete",
        "a planned action needs its root cause, the action and an owner",
        "计划的纠正措施需要填写根本原因、措施和负责人";
    ClosedThroughAction => "closed_through_action",
        "a nonconformity is closed through its corrective action", "不符合项须通过纠正措施关闭";
    ActionNotDone => "action_not_done",
        "record when the action was done before closing", "关闭前请填写措施完成日期";
    NotVerifiedEffective => "not_verified_effective",
        "only an action verified as effective verifies the finding", "只有经验证有效的措施才能使问题通过验证";
    ReopenReason => "reopen_reason", "give the reason for reopening", "请说明重新打开的原因";
    FindingMove { from: String, to: String } => "finding_transition",
        "cannot go from {from} to {to}", "不能从 {from} 变为 {to}";

    // Submissions and evidence
    CommentRequired => "comment_required", "every decision needs a comment", "每项决定都需要填写意见";
    NoFile => "no_file", "no file was uploaded (multipart field `file`)", "没有上传文件（multipart 字段 `file`）";
    FileEmpty => "file_empty", "is empty", "文件为空";
    UploadCutOff => "upload_cut_off", "the upload was cut off", "上传被中断";
    UploadUnreadable => "upload_unreadable", "the upload cannot be read", "无法读取上传内容";
    SentTwice => "sent_twice", "was sent more than once", "只能提交一次";
    NotUtf8 => "not_unicode_text", "must be text in UTF-8", "必须是 UTF-8 编码的文本";
    TooBig { max: String } => "file_too_big", "evidence files may be at most {max}", "证明材料不能超过 {max}";
    SheetTooBig { max: String } => "sheet_too_big", "the spreadsheet may be at most {max}", "电子表格不能超过 {max}";
    FileType => "file_type",
        "evidence must be PDF, PNG, JPEG, an Office document, plain text or CSV (judged by its content)",
        "证明材料必须是 PDF、PNG、JPEG、Office 文档、纯文本或 CSV（按文件内容判断）";
    UnknownStep => "unknown_step", "the form names no known step", "表单中的步骤无法识别";

    // Conflicts
    Duplicate => "duplicate", "a record with these values already exists", "已存在相同的记录";
    DuplicateProvince => "duplicate_province", "a province with this code already exists", "已有省份使用此代码";
    DuplicateTitleType => "duplicate_title_type", "a title with this code already exists", "已有称号使用此代码";
    DuplicateIndicator => "duplicate_indicator", "an indicator with this code already exists", "已有指标使用此代码";
    TitleHeld => "title_held", "the school already holds this title", "学校已持有此称号";
    TryAgain => "try_again", "another change got there first; try again", "其他人刚刚修改了此记录，请重试";
    StaleVersion => "stale_version",
        "this record was changed by someone else; reload it and try again",
        "此记录已被他人修改，请刷新后重试";
    InvalidTransition { from: String } => "invalid_transition",
        "not possible while the submission is {from}", "申报处于 {from} 状态时不能进行此操作";
    FourEyes => "four_eyes",
        "the person who recommended a submission may not also sign it off", "推荐申报的人不能再审批同一申报";
    EvidenceRequired => "evidence_required",
        "add at least one evidence file before submitting", "提交前请至少添加一份证明材料";
    EvidenceLocked { status: String } => "evidence_locked",
        "evidence is immutable once submitted (the submission is {status})",
        "提交后的证明材料不能再修改（申报状态：{status}）";

    // Schools that merge or close
    SchoolClosed => "school_closed",
        "this school has been merged or closed: its record is kept, read-only",
        "该校已合并或撤销：其档案保留，只能查阅";
    SchoolNotActive => "school_not_active",
        "this school is already merged or marked for closure", "该校已合并或已列入撤销";
    NotClosing => "not_closing", "this school is not marked for closure", "该校未列入撤销";
    SuccessorItself => "successor_itself", "a school cannot merge into itself", "学校不能并入自身";
    SuccessorElsewhere => "successor_elsewhere",
        "must be a school of the same province", "必须是同一省份的学校";
    SuccessorNotActive => "successor_not_active",
        "must be a school that is neither merged nor closing", "必须是未合并、未列入撤销的学校";
    NotWoundUp => "not_wound_up",
        "the school of this title is neither merged nor closed", "该称号所属学校未合并或撤销";
    TitleSettled { how: String } => "title_settled",
        "this title has already been settled ({how})", "该称号已处理（{how}）";
    NoSuccessor => "no_successor",
        "a closed school has no successor to transfer a title to", "撤销的学校没有可转移称号的承继学校";

    ReportHandedIn { status: String } => "report_handed_in",
        "the report has been handed in (its submission is {status}): its sections change again only when changes are requested",
        "年度质量报告已提交（申报状态：{status}），退回修改后才能再修改正文";

    // The school year
    Derived => "derived", "is derived from other figures and cannot be entered", "由其他数据计算得出，不能填写";
    YearLocked { year: i32 } => "year_locked",
        "the figures of {year} are accepted and locked; the province must reopen them first",
        "{year} 年的数据已被省级部门确认并封账；需由省级部门重新开放后才能修改";
    YearInReview { year: i32 } => "year_in_review",
        "the figures of {year} are with the province for review; withdraw the submission to change them",
        "{year} 年的数据正在省级审核中；如需修改请先撤回申报";
    YearNotLocked { year: i32 } => "year_not_locked",
        "the figures of {year} are not locked", "{year} 年的数据尚未封账";
    FiguresRequired { year: i32 } => "figures_required",
        "enter the figures of {year} before submitting", "提交前请填写 {year} 年的数据";
    ExplanationRequired => "explanation_required",
        "this figure is flagged: explain it before submitting", "此数据被标记为异常：提交前请说明原因";
    NoExplanationNeeded => "explanation_unneeded",
        "this figure is not flagged; no explanation is needed", "此数据未被标记，无需说明";
    RoundExists { year: i32 } => "round_exists",
        "the province already has a collection round for {year}", "本省已开启 {year} 年的采集";
    RoundClosed { year: i32 } => "round_closed",
        "the collection round for {year} is closed", "{year} 年的采集已关闭";
    NoRound { year: i32 } => "no_round",
        "the province has opened no collection round for {year}", "本省尚未开启 {year} 年的采集";
    SubmissionOpen => "submission_open",
        "this year already has a submission in progress", "本年度已有进行中的申报";
    NotXlsx => "not_xlsx",
        "is not an Excel workbook (.xlsx); download the template and fill it in",
        "不是 Excel 工作簿（.xlsx）；请下载模板填写后上传";
    WrongTemplate => "wrong_template",
        "is not accredit's status-data template; download the template of this year and fill it in",
        "不是本系统的状态数据模板；请下载本年度模板填写后上传";
    TemplateOtherSchool => "template_other_school",
        "is the template of another school", "这是其他学校的模板";
    TemplateYear { expected: i32, found: String } => "template_year",
        "is the template of {found}, not of {expected}", "这是 {found} 年的模板，不是 {expected} 年的";
    // the same words in each language, composed by `Msg::cell`
    CellProblem { en: String, zh: String } => "cell", "{en}", "{zh}";
    CellDuplicate { sheet: String, cell: String } => "cell_duplicate",
        "sheet \"{sheet}\", cell {cell}: this indicator appears twice in the sheet",
        "工作表“{sheet}”单元格 {cell}：此指标在表中出现了两次";
    WorkbookTooLarge => "workbook_too_large",
        "the workbook unpacks to more than a template can hold", "工作簿解压后超出模板应有的大小";
    CellUnknownCode { sheet: String, cell: String } => "cell_unknown_code",
        "sheet \"{sheet}\", cell {cell}: names no indicator of the catalogue",
        "工作表“{sheet}”单元格 {cell}：指标目录中没有这个指标代码";

    // Requests that cannot be read
    BodyTooLarge => "body_too_large", "the request body is too large", "请求内容过大";
    UriTooLong => "uri_too_long",
        "the address (path and query) is longer than 8 KiB", "请求地址（路径与查询参数）超过 8 KiB";
    NotJson => "not_json", "the request body must be application/json", "请求内容必须是 application/json";
    MalformedJson => "malformed_json", "the request body is not valid JSON", "请求内容不是有效的 JSON";
    MalformedForm => "malformed_form", "the form cannot be read", "无法读取表单";
    MalformedQuery => "malformed_query", "the query string cannot be read", "无法读取查询参数";
    MalformedBody => "malformed_body", "the request body cannot be read", "无法读取请求内容";
    NotCursor => "not_cursor",
        "is not a cursor of this list; take it from the previous answer's Link header",
        "不是此列表的游标；请使用上一页响应中 Link 头给出的地址";
    ActionTwice => "action_twice",
        "give the corrective action once: as an object, or (deprecated) as flat fields",
        "纠正措施只能填写一次：用对象填写，或（已弃用）用平铺的字段填写";
    BodyShape => "invalid_body",
        "the request body does not have the expected shape; see fields",
        "请求内容的结构不符合要求，详见各字段";
    NotText => "not_text", "must be text (a JSON string)", "必须是文字（JSON 字符串）";
    NotTrueFalse => "not_boolean", "must be true or false", "必须是 true 或 false";
    NotObject => "not_object", "must be a JSON object", "必须是 JSON 对象";
    NotList => "not_list", "must be a list (a JSON array)", "必须是列表（JSON 数组）";
    UnknownField => "unknown_field", "is not a field of this request", "不是此请求的字段";
    WrongKind => "wrong_kind", "has a value of the wrong kind", "值的类型不对";

    // What any request may meet
    Forbidden => "forbidden", "your role may not do this", "您的角色无权进行此操作";
    CsrfFailed => "csrf_failed",
        "the form has expired; reload the page and try again", "表单已过期，请刷新页面后重试";
    NotFound => "not_found", "not found", "未找到";
    MethodNotAllowed { allow: String } => "method_not_allowed",
        "method not allowed here; allowed: {allow}", "此处不允许该请求方法；允许：{allow}";
    ValidationFailed => "validation_failed", "validation failed", "填写的内容有误";
    TooManyAttempts { seconds: u64 } => "too_many_requests",
        "too many attempts; try again in {seconds} seconds", "尝试次数过多，请 {seconds} 秒后再试";
    Unavailable => "service_unavailable",
        "the service is temporarily unavailable", "服务暂时不可用";
    StorageFull => "insufficient_storage",
        "the server's storage is full: nothing was saved; please tell the administrator",
        "服务器存储空间已满，本次内容未保存，请联系系统管理员";
    Unexpected => "internal_error", "an unexpected error occurred", "发生了意外错误";
}

impl Msg {
    /// A problem with the value of a cell of an uploaded sheet, naming the indicator in
    /// each language.
    pub fn cell(sheet: &str, cell: &str, indicator: (&str, &str), problem: &Msg) -> Msg {
        Msg::CellProblem {
            en: format!(
                "sheet \"{sheet}\", cell {cell} ({}): {}",
                indicator.0,
                problem.text(Lang::En)
            ),
            zh: format!(
                "工作表“{sheet}”单元格 {cell}（{}）：{}",
                indicator.1,
                problem.text(Lang::ZhCn)
            ),
        }
    }
}

impl fmt::Display for Msg {
    /// English, for logs and the command line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in ALL_CODES {
            assert!(seen.insert(code), "{code} is used twice");
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{code}"
            );
        }
    }

    #[test]
    fn texts_in_both_languages_with_their_arguments() {
        let m = Msg::TooLong { max: 200 };
        assert_eq!(m.code(), "too_long");
        assert_eq!(m.text(Lang::En), "must be at most 200 characters");
        assert_eq!(m.text(Lang::ZhCn), "不能超过 200 个字符");
        assert_eq!(m.to_string(), "must be at most 200 characters");
        let cell = Msg::cell(
            "办学状态数据",
            "C7",
            ("Students enrolled", "在校生数"),
            &Msg::WholeNumber,
        );
        assert_eq!(
            cell.text(Lang::ZhCn),
            "工作表“办学状态数据”单元格 C7（在校生数）：必须是整数"
        );
        assert_eq!(
            cell.text(Lang::En),
            "sheet \"办学状态数据\", cell C7 (Students enrolled): must be a whole number"
        );
    }
}
