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
use crate::db::Db;
use crate::domain::mail::MailKind;
use crate::error::AppError;
use crate::http::web::templates::Templates;
use crate::store::outbox::{self, Claimed};

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
    pub fn send_pending(&self) -> Result<Pass, AppError> {
        let mut pass = Pass::default();
        let mut after = 0;
        loop {
            let mut conn = self.db.get()?;
            let rows = outbox::claim(&mut conn, crate::clock::now_utc(), LEASE, after, BATCH)?;
            drop(conn);
            let Some(last) = rows.last() else {
                return Ok(pass);
            };
            after = last.id;
            for row in &rows {
                self.send_one(row, &mut pass)?;
            }
        }
    }

    fn send_one(&self, row: &Claimed, pass: &mut Pass) -> Result<(), AppError> {
        let mut conn = self.db.get()?;
        let kind = MailKind::parse(&row.kind);
        let recipient = letter::recipient(&mut conn, row.user_id)?;
        let wanted = kind.is_some_and(|k| recipient.active && recipient.choices.wants(k));
        if !wanted {
            outbox::discard(&mut conn, row.id)?;
            pass.discarded += 1;
            return Ok(());
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
            Err(error) => Err(format!("the mail could not be written: {error}")),
        };
        let mut conn = self.db.get()?;
        let now = crate::clock::now_utc();
        match outcome {
            Ok(()) => {
                outbox::delivered(&mut conn, row.id, now)?;
                pass.delivered += 1;
            }
            Err(error) => {
                tracing::warn!(outbox = row.id, attempt = row.attempts, %error, "mail not delivered");
                let failed = outbox::attempt_failed(
                    &mut conn,
                    row,
                    &error,
                    now,
                    self.delivery.max_attempts,
                    Duration::seconds(self.delivery.retry_seconds as i64),
                )?;
                if failed {
                    pass.failed += 1;
                } else {
                    pass.retrying += 1;
                }
            }
        }
        Ok(())
    }

    fn deliver(&self, letter: &Letter, row: &Claimed) -> Result<(), String> {
        let message = letter
            .message(&self.from, row)
            .map_err(|e| format!("the mail could not be written: {e}"))?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| e.to_string())
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
        "mail: {} delivered, {} to be retried, {} failed (see /admin/mail), {} no longer wanted",
        pass.delivered, pass.retrying, pass.failed, pass.discarded
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
