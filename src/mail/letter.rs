//! One mail, written from the templates `mail/subject.txt`, `mail/body.txt` and
//! `mail/body.html` in the recipient's language: what happened, the school and the
//! submission by name, a link to the page, and at the foot a link that turns this kind of
//! mail off. No evidence, comment or secret goes into a mail.

use diesel::prelude::*;
use lettre::message::header::{self, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use tera::Context;

use crate::auth::opt_out::OptOutKeys;
use crate::db::DbConn;
use crate::db::schema::{provinces, schools, users};
use crate::domain::lang::Lang;
use crate::domain::mail::{MailChoices, MailKind};
use crate::error::AppError;
use crate::store::outbox::Claimed;
use crate::templates::Templates;

/// Whom a mail goes to, and what they want.
pub struct Recipient {
    pub email: String,
    pub name: String,
    pub lang: Lang,
    pub active: bool,
    pub choices: MailChoices,
}

pub fn recipient(conn: &mut DbConn, user: i64) -> Result<Recipient, AppError> {
    let (email, name, language, active, workflow, reminders, digest) = users::table
        .find(user)
        .select((
            users::email,
            users::name,
            users::language,
            users::active,
            users::mail_workflow,
            users::mail_reminders,
            users::mail_digest,
        ))
        .first::<(String, String, String, bool, bool, bool, bool)>(conn)?;
    Ok(Recipient {
        email,
        name,
        lang: Lang::from_tag(&language).unwrap_or(Lang::ZhCn),
        active,
        choices: MailChoices {
            workflow,
            reminders,
            digest,
        },
    })
}

/// A written mail.
#[derive(Debug)]
pub struct Letter {
    pub to: Mailbox,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// the opt-out link, also given in the `List-Unsubscribe` header (RFC 8058)
    pub opt_out: String,
}

impl Letter {
    /// The message, with a `Message-ID` of its outbox row.
    pub fn message(
        &self,
        from: &Mailbox,
        row: &Claimed,
    ) -> Result<lettre::Message, lettre::error::Error> {
        let domain = from.email.domain();
        lettre::Message::builder()
            .from(from.clone())
            .to(self.to.clone())
            .subject(&self.subject)
            .message_id(Some(format!("<outbox.{}@{domain}>", row.id)))
            .header(ListUnsubscribe(format!("<{}>", self.opt_out)))
            .header(ListUnsubscribePost)
            .multipart(MultiPart::alternative_plain_html(
                self.text.clone(),
                self.html.clone(),
            ))
    }
}

/// Writes the mail of an outbox row for its recipient.
pub fn write(
    conn: &mut DbConn,
    templates: &Templates,
    opt_out: &OptOutKeys,
    public_url: &str,
    row: &Claimed,
    recipient: &Recipient,
) -> Result<Letter, AppError> {
    let kind = MailKind::parse(&row.kind)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown mail kind {}", row.kind)))?;
    let payload: serde_json::Value = serde_json::from_str(&row.payload)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("outbox payload: {e}")))?;
    let lang = recipient.lang;
    let place = match kind {
        MailKind::Workflow | MailKind::Reminder => {
            school_name(conn, payload["school_id"].as_i64(), lang)?
        }
        MailKind::Digest => province_name(conn, payload["province_id"].as_i64(), lang)?,
    };
    let links = Links {
        page: match kind {
            MailKind::Workflow => format!("{public_url}/submissions/{}", payload["submission_id"]),
            MailKind::Reminder => format!("{public_url}/schools/{}", payload["school_id"]),
            MailKind::Digest => format!("{public_url}/home"),
        },
        opt_out: format!(
            "{public_url}/mail/opt-out?token={}",
            opt_out.sign(row.user_id.unwrap_or_default(), kind)?
        ),
        account: format!("{public_url}/account"),
    };
    compose(templates, kind, &payload, &place, recipient, links)
}

/// Where a mail points.
pub struct Links {
    /// the page of what the mail tells of
    pub page: String,
    pub opt_out: String,
    pub account: String,
}

/// Renders the mail: `place` is the school (or, for a digest, the province) by name.
pub fn compose(
    templates: &Templates,
    kind: MailKind,
    payload: &serde_json::Value,
    place: &str,
    recipient: &Recipient,
    links: Links,
) -> Result<Letter, AppError> {
    let mut context = Context::new();
    context.insert("kind", kind.as_str());
    context.insert("name", &recipient.name);
    let text = |key: &str| payload[key].as_str().unwrap_or_default().to_owned();
    match kind {
        MailKind::Workflow => {
            let event = text("event");
            let role_in_step = match event.as_str() {
                "submit" => "reviewer",
                "review:recommend" => "signer",
                "panel_appointed" | "panel_sealed" => "expert",
                "objection_received" => "province",
                _ => "school",
            };
            context.insert("role_in_step", role_in_step);
            context.insert("event", &event);
            context.insert("title", &text("title"));
            context.insert("status", &text("status"));
            context.insert("submission_kind", &text("kind"));
            context.insert("school", place);
        }
        MailKind::Reminder => {
            context.insert("deadline", &text("kind"));
            context.insert("subject", &text("subject"));
            context.insert("due_on", &text("due_on"));
            context.insert("days_left", &payload["days_left"]);
            context.insert("school", place);
        }
        MailKind::Digest => {
            // The payload names the first schools and items only, with the counts of all
            // (a digest queued before the counts were kept names everything).
            let mut schools = payload["schools"].as_array().cloned().unwrap_or_default();
            let listed = |s: &serde_json::Value| s["items"].as_array().map_or(0, Vec::len);
            let count =
                |value: &serde_json::Value, all: usize| value.as_u64().map_or(all, |n| n as usize);
            let all_items: usize = schools.iter().map(listed).sum();
            let item_count = count(&payload["item_count"], all_items);
            let school_count = count(&payload["school_count"], schools.len());
            for school in &mut schools {
                let overdue = count(&school["overdue"], listed(school));
                let more = overdue.saturating_sub(listed(school));
                school["overdue"] = overdue.into();
                school["more"] = more.into();
            }
            context.insert("more_schools", &school_count.saturating_sub(schools.len()));
            context.insert("schools", &schools);
            context.insert("item_count", &item_count);
            context.insert("province", place);
        }
    }
    context.insert("link", &links.page);
    context.insert("opt_out", &links.opt_out);
    context.insert("account", &links.account);
    let lang = recipient.lang;
    let subject = templates.render(lang, "mail/subject.txt", &context)?;
    let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    context.insert("mail_subject", &subject);
    let address = recipient.email.parse().map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "recipient address {}: {e}",
            recipient.email
        ))
    })?;
    Ok(Letter {
        to: Mailbox::new(Some(recipient.name.clone()), address),
        text: templates.render(lang, "mail/body.txt", &context)?,
        html: templates.render(lang, "mail/body.html", &context)?,
        subject,
        opt_out: links.opt_out,
    })
}

/// A school's name as the reader reads it: the Chinese name for Chinese readers when known.
fn school_name(conn: &mut DbConn, id: Option<i64>, lang: Lang) -> Result<String, AppError> {
    let (name, name_zh): (String, Option<String>) = schools::table
        .find(id.unwrap_or_default())
        .select((schools::name, schools::name_zh))
        .first(conn)?;
    Ok(localised(name, name_zh, lang))
}

fn province_name(conn: &mut DbConn, id: Option<i64>, lang: Lang) -> Result<String, AppError> {
    let (name, name_zh): (String, Option<String>) = provinces::table
        .find(id.unwrap_or_default())
        .select((provinces::name, provinces::name_zh))
        .first(conn)?;
    Ok(localised(name, name_zh, lang))
}

fn localised(name: String, name_zh: Option<String>, lang: Lang) -> String {
    match (lang, name_zh) {
        (Lang::ZhCn, Some(zh)) if !zh.trim().is_empty() => zh,
        _ => name,
    }
}

/// `List-Unsubscribe: <https://…/mail/opt-out?token=…>`: mail programs show their own
/// "unsubscribe" button with it.
#[derive(Clone)]
struct ListUnsubscribe(String);

impl header::Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): the button posts to the
/// link, which turns the mails off without a further page.
#[derive(Clone)]
struct ListUnsubscribePost;

impl header::Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reader(lang: Lang) -> Recipient {
        Recipient {
            email: "lin@fz2.example.cn".into(),
            name: "林<b>晓</b>".into(),
            lang,
            active: true,
            choices: MailChoices {
                workflow: true,
                reminders: true,
                digest: true,
            },
        }
    }

    fn links() -> Links {
        Links {
            page: "https://accredit.example.cn/submissions/7".into(),
            opt_out: "https://accredit.example.cn/mail/opt-out?token=abc".into(),
            account: "https://accredit.example.cn/account".into(),
        }
    }

    #[test]
    fn a_workflow_mail_names_school_and_submission_in_the_readers_language() {
        let templates = Templates::load().unwrap();
        let payload = json!({"submission_id": 7, "school_id": 3, "kind": "annual_quality_report",
            "title": "2025 年度质量报告 <script>", "event": "submit", "status": "submitted"});
        let zh = compose(
            &templates,
            MailKind::Workflow,
            &payload,
            "福州第二高级技工学校",
            &reader(Lang::ZhCn),
            links(),
        )
        .unwrap();
        assert_eq!(
            zh.subject,
            "[accredit] 福州第二高级技工学校 · 2025 年度质量报告 <script> · 提交"
        );
        assert!(zh.text.contains("林<b>晓</b>，您好："), "{}", zh.text);
        assert!(zh.text.contains("有一份报送等待您审核。"));
        assert!(
            zh.text
                .contains("https://accredit.example.cn/submissions/7")
        );
        assert!(
            zh.text
                .contains("https://accredit.example.cn/mail/opt-out?token=abc")
        );
        // the HTML part escapes what people typed; the text part is plain text
        assert!(
            zh.html.contains("2025 年度质量报告 &lt;script&gt;"),
            "{}",
            zh.html
        );
        assert!(!zh.html.contains("<script>"));
        assert!(
            zh.html.contains("林&lt;b&gt;晓&lt;&#x2F;b&gt;")
                || zh.html.contains("林&lt;b&gt;晓&lt;/b&gt;"),
            "{}",
            zh.html
        );
        assert!(zh.html.contains("lang=\"zh-CN\""));
        let en = compose(
            &templates,
            MailKind::Workflow,
            &payload,
            "Fuzhou No.2 Senior Technical School",
            &reader(Lang::En),
            links(),
        )
        .unwrap();
        assert_eq!(
            en.subject,
            "[accredit] Fuzhou No.2 Senior Technical School · 2025 年度质量报告 <script> · Submitted"
        );
        assert!(en.text.contains("A submission is waiting for your review."));
        assert!(en.text.contains("Annual quality report"));
    }

    #[test]
    fn a_reminder_says_how_far_off_and_a_digest_lists_by_school() {
        let templates = Templates::load().unwrap();
        let payload = json!({"event": "reminder_due", "kind": "reevaluation", "school_id": 3,
            "subject": "National Key Technical School", "due_on": "2026-12-28", "days_left": 30});
        let zh = compose(
            &templates,
            MailKind::Reminder,
            &payload,
            "福州第二高级技工学校",
            &reader(Lang::ZhCn),
            links(),
        )
        .unwrap();
        assert!(
            zh.subject.contains("福州第二高级技工学校"),
            "{}",
            zh.subject
        );
        assert!(zh.subject.contains("National Key Technical School"));
        assert!(zh.subject.contains("后到期"), "{}", zh.subject);
        assert!(zh.text.contains("2026-12-28"));
        let en = compose(
            &templates,
            MailKind::Reminder,
            &payload,
            "Fuzhou No.2",
            &reader(Lang::En),
            links(),
        )
        .unwrap();
        assert!(en.subject.ends_with("due in 30 days"), "{}", en.subject);
        let digest = json!({"event": "digest", "province_id": 1, "schools": [
            {"school_id": 3, "school": "Fuzhou No.2", "items": [
                {"kind": "finding_due", "subject": "8.5.1", "due_on": "2026-10-01", "days_late": 58},
                {"kind": "reevaluation", "subject": "NKTS", "due_on": "2026-11-01", "days_late": 27}]},
            {"school_id": 4, "school": "Xiamen", "items": [
                {"kind": "certificate_expiry", "subject": "00124Q", "due_on": "2026-11-20", "days_late": 8}]}]});
        let en = compose(
            &templates,
            MailKind::Digest,
            &digest,
            "Fujian",
            &reader(Lang::En),
            links(),
        )
        .unwrap();
        assert_eq!(
            en.subject,
            "[accredit] Fujian · weekly digest of overdue items · 3"
        );
        assert!(en.text.contains("Fuzhou No.2 (2)"), "{}", en.text);
        assert!(en.text.contains("overdue by"), "{}", en.text);
        assert!(en.text.contains("Xiamen (1)"));
        assert!(!en.text.contains("more"), "{}", en.text);

        // A large province: the payload lists the first schools and items, and counts all.
        let item = json!({"kind": "finding_due", "subject": "8.5.1", "due_on": "2026-10-01", "days_late": 58});
        let large = json!({"event": "digest", "province_id": 16, "item_count": 4321, "school_count": 640,
            "schools": [{"school_id": 9, "school": "Zhengzhou No.1", "overdue": 1205, "items": [item.clone(), item]}]});
        for (lang, more_items, more_schools, count) in [
            (
                Lang::En,
                "… and 1,203 more",
                "… and 639 more schools",
                "· 4,321",
            ),
            (
                Lang::ZhCn,
                "……另有 1,203 项",
                "……另有 639 所学校",
                "· 4,321",
            ),
        ] {
            let mail = compose(
                &templates,
                MailKind::Digest,
                &large,
                "Henan",
                &reader(lang),
                links(),
            )
            .unwrap();
            assert!(mail.subject.ends_with(count), "{}", mail.subject);
            assert!(
                mail.text.contains("Zhengzhou No.1 (1,205)"),
                "{}",
                mail.text
            );
            for part in [&mail.text, &mail.html] {
                assert!(part.contains(more_items), "{part}");
                assert!(part.contains(more_schools), "{part}");
            }
        }
    }
}
