//! Mail delivery: the sender that works through the outbox (inside `accredit serve`, and once
//! by `accredit mail send-pending`), and the letters it writes from the mail templates in
//! the recipient's language.
//!
//! Each pass takes due rows with a lease (`store::outbox::claim`), writes and sends each
//! mail over SMTP (lettre), and marks it delivered, or failed for now with its error and a
//! time to try again. A pass never takes a row twice, so a mail server that refuses costs
//! one attempt per mail per pass.

mod letter;

use std::sync::Arc;
use std::time::Duration as StdDuration;

use lettre::message::Mailbox;
use lettre::{SmtpTransport, Transport};
use time::Duration;

use crate::auth::opt_out::OptOutKeys;
use crate::config::{Delivery, MailSettings, Settings};
use crate::db::{Db, DbConn};
use crate::domain::mail::MailKind;
use crate::error::AppError;
use crate::store::outbox::{self, Claimed};
use crate::templates::Templates;

pub use letter::{Letter, Recipient};

/// How long a taken row stays with its sender: longer than a batch can take to send
/// (`BATCH` mails, each bounded by `SMTP_TIMEOUT`).
const LEASE: Duration = Duration::minutes(10);
/// Rows taken at once.
const BATCH: i64 = 20;
/// The longest wait for the mail server on one step of the conversation.
const SMTP_TIMEOUT: StdDuration = StdDuration::from_secs(20);

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub delivered: usize,
    /// failed this time, to be tried again
    pub retrying: usize,
    /// failed for the last allowed time: waits for an admin
    pub failed: usize,
    /// no longer wanted (the recipient turned that kind off or left)
    pub discarded: usize,
    /// the mail server could not be reached: the mails after the first failure were not tried
    pub unreachable: bool,
}

/// Why a mail did not go out.
struct Undelivered {
    error: String,
    /// the mail server could not be reached: others would fail the same way
    unreachable: bool,
}

/// Sends what the outbox holds.
pub struct Sender {
    db: Db,
    transport: SmtpTransport,
    from: Mailbox,
    templates: Arc<Templates>,
    opt_out: OptOutKeys,
    public_url: String,
    delivery: Delivery,
}

impl Sender {
    /// A sender for the configured mail server; `None` when mail is not configured.
    pub fn from_settings(
        settings: &Settings,
        db: Db,
        templates: Arc<Templates>,
    ) -> anyhow::Result<Option<Sender>> {
        let Some(mail) = &settings.mail else {
            return Ok(None);
        };
        Ok(Some(Sender {
            db,
            transport: transport(mail)?,
            from: mail
                .from
                .parse()
                .map_err(|e| anyhow::anyhow!("configuration: ACCREDIT_MAIL_FROM: {e}"))?,
            templates,
            opt_out: OptOutKeys::new(&settings.token_secret()?),
            public_url: settings.public_url.clone(),
            delivery: settings.delivery,
        }))
    }

    /// One pass over the mails due now. Blocking: call it off the async workers.
    ///
    /// Once the mail server cannot be reached at all (refused, timed out, TLS failed), the
    /// rest of the pass records the same failed attempt for each mail without trying it:
    /// every one would wait for the same timeout and fail the same way, so a pass over
    /// 90,000 reminders takes seconds rather than a timeout for each.
    pub fn send_pending(&self) -> Result<Pass, AppError> {
        let mut pass = Pass::default();
        let mut after = 0;
        let mut unreachable: Option<String> = None;
        loop {
            let mut conn = self.db.get()?;
            let rows = outbox::claim(
                &mut conn,
                outbox::EMAIL,
                crate::clock::now_utc(),
                LEASE,
                after,
                BATCH,
            )?;
            let Some(last) = rows.last() else {
                pass.unreachable = unreachable.is_some();
                return Ok(pass);
            };
            after = last.id;
            if let Some(error) = &unreachable {
                for row in &rows {
                    self.failed(&mut conn, row, error, &mut pass)?;
                }
                continue;
            }
            drop(conn);
            for (at, row) in rows.iter().enumerate() {
                if let Some(error) = self.send_one(row, &mut pass)? {
                    tracing::warn!(%error, "the mail server cannot be reached; this pass records the rest as not delivered without trying");
                    let mut conn = self.db.get()?;
                    for rest in &rows[at + 1..] {
                        self.failed(&mut conn, rest, &error, &mut pass)?;
                    }
                    unreachable = Some(error);
                    break;
                }
            }
        }
    }

    /// Records a failed attempt: to be retried later, or failed for good at the limit.
    fn failed(
        &self,
        conn: &mut DbConn,
        row: &Claimed,
        error: &str,
        pass: &mut Pass,
    ) -> Result<(), AppError> {
        let failed = outbox::attempt_failed(
            conn,
            row,
            error,
            crate::clock::now_utc(),
            self.delivery.max_attempts,
            Duration::seconds(self.delivery.retry_seconds as i64),
        )?;
        if failed {
            pass.failed += 1;
        } else {
            pass.retrying += 1;
        }
        Ok(())
    }

    /// Sends one mail; answers the error when the mail server could not be reached at all.
    fn send_one(&self, row: &Claimed, pass: &mut Pass) -> Result<Option<String>, AppError> {
        let mut conn = self.db.get()?;
        let kind = MailKind::parse(&row.kind);
        let Some(user) = row.user_id else {
            outbox::discard(&mut conn, row.id)?;
            pass.discarded += 1;
            return Ok(None);
        };
        let recipient = letter::recipient(&mut conn, user)?;
        let wanted = kind.is_some_and(|k| recipient.active && recipient.choices.wants(k));
        if !wanted {
            outbox::discard(&mut conn, row.id)?;
            pass.discarded += 1;
            return Ok(None);
        }
        let written = letter::write(
            &mut conn,
            &self.templates,
            &self.opt_out,
            &self.public_url,
            row,
            &recipient,
        );
        // The database connection goes back to the pool while the mail server talks.
        drop(conn);
        let outcome = match written {
            Ok(letter) => self.deliver(&letter, row),
            Err(error) => Err(Undelivered {
                error: format!("the mail could not be written: {error}"),
                unreachable: false,
            }),
        };
        let mut conn = self.db.get()?;
        let now = crate::clock::now_utc();
        match outcome {
            Ok(()) => {
                outbox::delivered(&mut conn, row.id, now)?;
                pass.delivered += 1;
            }
            Err(Undelivered { error, unreachable }) => {
                tracing::warn!(outbox = row.id, attempt = row.attempts, %error, "mail not delivered");
                self.failed(&mut conn, row, &error, pass)?;
                return Ok(unreachable.then_some(error));
            }
        }
        Ok(None)
    }

    fn deliver(&self, letter: &Letter, row: &Claimed) -> Result<(), Undelivered> {
        let message = letter.message(&self.from, row).map_err(|e| Undelivered {
            error: format!("the mail could not be written: {e}"),
            unreachable: false,
        })?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| Undelivered {
                error: e.to_string(),
                // Not an answer about this mail (4xx, 5xx, a reply that makes no sense) but no
                // conversation at all: refused, timed out, TLS failed, connection lost.
                unreachable: !(e.is_transient()
                    || e.is_permanent()
                    || e.is_response()
                    || e.is_client()),
            })
    }

    /// Works through the outbox every `interval_seconds`, for as long as the server runs.
    pub async fn run(self: Arc<Self>) {
        let every = StdDuration::from_secs(self.delivery.interval_seconds);
        loop {
            let sender = self.clone();
            match actix_web::web::block(move || sender.send_pending()).await {
                Ok(Ok(pass)) if pass != Pass::default() => {
                    tracing::info!(?pass, "mail pass");
                }
                Ok(Ok(_)) => {}
                Ok(Err(error)) => tracing::error!(%error, "mail pass failed"),
                Err(error) => tracing::error!(%error, "mail pass did not run"),
            }
            actix_web::rt::time::sleep(every).await;
        }
    }
}

/// The SMTP transport for `ACCREDIT_SMTP_URL`. `smtp://` asks for STARTTLS (required unless
/// the URL says `?tls=opportunistic`, or `?tls=none` for a relay on the same host or
/// network); `smtps://` is TLS from the start.
fn transport(mail: &MailSettings) -> anyhow::Result<SmtpTransport> {
    let url = lettre_url(mail.smtp_url.expose());
    let builder = SmtpTransport::from_url(&url)
        .map_err(|e| anyhow::anyhow!("configuration: ACCREDIT_SMTP_URL: {e}"))?;
    Ok(builder.timeout(Some(SMTP_TIMEOUT)).build())
}

/// Our URL in lettre's terms: lettre reads a bare `smtp://` as unencrypted, we as STARTTLS.
fn lettre_url(url: &str) -> String {
    if !url.starts_with("smtp://") {
        return url.to_owned();
    }
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    match params.iter().position(|p| p.starts_with("tls=")) {
        Some(at) if params[at] == "tls=none" => {
            params.remove(at);
        }
        Some(_) => {}
        None => params.push("tls=required"),
    }
    if params.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", params.join("&"))
    }
}

/// `accredit mail send-pending`: one pass, then a line on what it did.
pub fn send_pending_once(settings: &Settings) -> anyhow::Result<()> {
    let db = Db::connect(&settings.database_url, 2)?;
    db.migrate()?;
    let templates = Arc::new(Templates::load()?);
    let Some(sender) = Sender::from_settings(settings, db, templates)? else {
        anyhow::bail!(
            "mail is not configured: set ACCREDIT_SMTP_URL and ACCREDIT_MAIL_FROM (the outbox keeps its mails until then)"
        );
    };
    let pass = sender.send_pending()?;
    println!(
        "mail: {} delivered, {} to be retried, {} failed (see /admin/mail), {} no longer wanted{}",
        pass.delivered,
        pass.retrying,
        pass.failed,
        pass.discarded,
        if pass.unreachable {
            "; the mail server could not be reached (one try, the rest not tried)"
        } else {
            ""
        }
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_smtp_means_starttls_unless_told_otherwise() {
        assert_eq!(
            lettre_url("smtp://u:p@mail.example.cn:587"),
            "smtp://u:p@mail.example.cn:587?tls=required"
        );
        assert_eq!(
            lettre_url("smtp://127.0.0.1:2525?tls=none"),
            "smtp://127.0.0.1:2525"
        );
        assert_eq!(
            lettre_url("smtp://h:25/ehlo?tls=opportunistic"),
            "smtp://h:25/ehlo?tls=opportunistic"
        );
        assert_eq!(lettre_url("smtps://u:p@h"), "smtps://u:p@h");
    }
}
