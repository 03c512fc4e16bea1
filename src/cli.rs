//! The command line: `serve`, `migrate`, `user create`. Each subcommand reads the
//! settings, does its work, and reports failures on standard error with a non-zero exit.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::auth::password::hash_password;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::access::Access;
use crate::domain::{EmailAddress, PersonName, Role};
use crate::error::{AppError, FieldErrors};
use crate::startup::Application;
use crate::store::history::{self, Verdict};
use crate::store::{provinces, users};

#[derive(Parser)]
#[command(
    name = "accredit",
    version,
    about = "Accreditation records of vocational and technical schools, reviewed by their province",
    long_about = "Accreditation records of vocational and technical schools, reviewed by their \
        province.\n\nConfiguration comes from the environment: DATABASE_URL (a SQLite file \
        path, the default data/accredit.sqlite3, or postgres://…), ACCREDIT_BIND, \
        ACCREDIT_DATA_DIR, ACCREDIT_JWT_SECRET, ACCREDIT_MAX_UPLOAD_BYTES; ACCREDIT_CONFIG may \
        name a file of KEY=VALUE lines. RUST_LOG sets the log level."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (HTML pages and the JSON API); applies pending migrations first
    Serve,
    /// Apply pending database migrations and exit
    Migrate,
    /// Manage user accounts
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Load the demonstration data set (running it again changes nothing)
    Demo,
    /// Fill an empty database with a synthetic national data set, for measuring
    /// (31 provinces; per school 10 audits of 10 findings, 10 submissions, 20 years of
    /// indicators)
    Synth(SynthArgs),
    /// Puts the reminders due today (ACCREDIT_TODAY when set) in the inboxes and the outbox,
    /// once each however often it runs: re-evaluations, certificates, surveillance audits,
    /// findings, corrective actions and status-data rounds
    Remind,
    /// Evidence storage: consistency, and moving to object storage
    Evidence {
        #[command(subcommand)]
        command: EvidenceCommand,
    },
    /// Mail delivery
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// A consistent copy of a SQLite database, taken while servers run, and checked
    /// (PostgreSQL: pg_dump -Fc, see docs/operations.md)
    Backup {
        /// The new file to write
        #[arg(long, value_name = "FILE")]
        to: std::path::PathBuf,
    },
    /// Puts a backup of a SQLite database in place; refuses while a server holds it, and
    /// checks the file's pages and its history before and after
    Restore {
        /// The backup to put back
        #[arg(long, value_name = "FILE")]
        from: std::path::PathBuf,
    },
    /// The tamper-evident history of changes
    History {
        #[command(subcommand)]
        command: HistoryCommand,
    },
}

#[derive(Args)]
struct SynthArgs {
    /// The seed of the generator: the same seed gives the same data
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// How many schools (everything else scales with them)
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    schools: u32,
}

#[derive(Subcommand)]
enum EvidenceCommand {
    /// List rows whose file is missing and stored files that no row names (exit 1 when
    /// anything is wrong); with --repair, remove those files (older than an hour) and the
    /// uploads crashes left behind
    Check {
        #[arg(long)]
        repair: bool,
    },
    /// Copy every evidence file to another storage (s3://bucket/prefix with the AWS_*
    /// variables), verifying each by its SHA-256; run it again after an interruption
    Migrate {
        /// The destination, such as s3://accredit-evidence/fujian
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// Deliver what the outbox holds that is due now, once, and exit (for cron; `serve`
    /// also delivers every ACCREDIT_MAIL_INTERVAL_SECONDS)
    SendPending,
}

#[derive(Subcommand)]
enum HistoryCommand {
    /// Check the hash chain of the whole history: exit 0 and a count when intact,
    /// non-zero and the first broken entry when not
    Verify,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from standard input (one line)
    Create(UserCreate),
}

#[derive(Args)]
struct UserCreate {
    /// E-mail address, used to sign in
    #[arg(long)]
    email: String,
    /// Display name
    #[arg(long)]
    name: String,
    /// quality_officer, school_viewer, reviewer, province_admin or admin
    #[arg(long)]
    role: String,
    /// Province code (for reviewer and province_admin)
    #[arg(long, value_name = "CODE")]
    province: Option<String>,
    /// School id (for quality_officer and school_viewer)
    #[arg(long, value_name = "ID")]
    school: Option<i64>,
    /// Read the password from standard input (required: passwords never go in arguments)
    #[arg(long, required = true)]
    password_stdin: bool,
}

/// Parses the command line, runs the command, and turns its outcome into an exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    init_logging(matches!(cli.command, Command::Serve));
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(&error);
            ExitCode::FAILURE
        }
    }
}

fn init_logging(serving: bool) {
    let default = if serving {
        "info,actix_server=warn"
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .try_init();
}

fn report(error: &anyhow::Error) {
    match error.downcast_ref::<AppError>() {
        Some(AppError::Validation(fields)) => {
            for (field, problem) in fields {
                eprintln!("error: {field} {problem}");
            }
        }
        Some(app_error) => eprintln!("error: {}", app_error.public_message()),
        None => eprintln!("error: {error:#}"),
    }
}

fn execute(command: Command) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    match command {
        Command::Serve => serve(settings),
        Command::Migrate => {
            let db = Db::connect(&settings.database_url, 1)?;
            let applied = db.migrate()?;
            crate::app::derived::bring_up_to_date(&db)?;
            if applied.is_empty() {
                println!(
                    "database is up to date ({})",
                    settings.database_url.redacted()
                );
            } else {
                println!(
                    "applied {} migration(s) to {}: {}",
                    applied.len(),
                    settings.database_url.redacted(),
                    applied.join(", ")
                );
            }
            Ok(())
        }
        Command::User {
            command: UserCommand::Create(args),
        } => create_user(&settings, args),
        Command::Demo => crate::demo::run(&settings),
        Command::Synth(args) => crate::synth::run(
            &settings,
            crate::synth::SynthOptions {
                seed: args.seed,
                schools: args.schools as usize,
            },
        ),
        Command::History {
            command: HistoryCommand::Verify,
        } => verify_history(&settings),
        Command::Remind => remind(&settings),
        Command::Mail {
            command: MailCommand::SendPending,
        } => crate::mail::send_pending_once(&settings),
        Command::Evidence {
            command: EvidenceCommand::Check { repair },
        } => evidence_check(&settings, repair),
        Command::Evidence {
            command: EvidenceCommand::Migrate { to },
        } => evidence_migrate(&settings, &to),
        Command::Backup { to } => {
            let copy = crate::backup::backup(&settings.database_url, &to)?;
            let evidence = match &settings.evidence {
                crate::config::EvidenceLocation::Directory(dir) => {
                    format!("copy {} alongside", dir.display())
                }
                crate::config::EvidenceLocation::Bucket(bucket) => format!(
                    "they stay in {}: keep the bucket versioned or replicated",
                    bucket.url()
                ),
            };
            println!(
                "backed up {} to {}: integrity ok, history intact ({} entries), {} evidence files listed by SHA-256 ({evidence})",
                settings.database_url.redacted(),
                to.display(),
                copy.history_entries,
                copy.evidence_files,
            );
            Ok(())
        }
        Command::Restore { from } => {
            let restored = crate::backup::restore(&settings.database_url, &from)?;
            println!(
                "restored {} from {}: integrity ok, history intact ({} entries)",
                settings.database_url.redacted(),
                from.display(),
                restored.history_entries
            );
            let missing = crate::backup::missing_evidence(&settings)?;
            if !missing.is_empty() {
                eprintln!(
                    "warning: {} of {} evidence files are not in the evidence storage; put them back from the evidence backup (accredit evidence check lists them)",
                    missing.len(),
                    restored.evidence_files,
                );
            }
            Ok(())
        }
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let backend = settings.database_url.backend().name();
        let database = settings.database_url.redacted();
        let bind = settings.bind.clone();
        let app = Application::build(settings).await?;
        let host = bind.rsplit_once(':').map_or(bind.as_str(), |(h, _)| h);
        tracing::info!(
            "accredit listening on http://{host}:{} (database: {backend} {database})",
            app.port()
        );
        app.run_until_stopped().await?;
        tracing::info!("accredit stopped");
        Ok(())
    })
}

fn create_user(settings: &Settings, args: UserCreate) -> anyhow::Result<()> {
    let password = read_password(std::io::stdin().lock())?;
    let mut fields = FieldErrors::new();
    let email = EmailAddress::parse(&args.email)
        .map_err(|e| fields.insert("email".into(), e))
        .ok();
    let name = PersonName::parse(&args.name)
        .map_err(|e| fields.insert("name".into(), e))
        .ok();
    let role = Role::parse(&args.role)
        .map_err(|e| fields.insert("role".into(), e))
        .ok();
    let password = settings
        .password_policy
        .parse(&password)
        .map_err(|e| fields.insert("password".into(), e))
        .ok();
    let (Some(email), Some(name), Some(role), Some(password)) = (email, name, role, password)
    else {
        return Err(AppError::Validation(fields).into());
    };

    let db = Db::connect(&settings.database_url, 1)?;
    db.migrate()?;
    let mut conn = db.get()?;
    let province_id = match &args.province {
        None => None,
        Some(code) => match provinces::find_by_code(&mut conn, code)? {
            Some(province) => Some(province.id),
            None => {
                return Err(anyhow::anyhow!("--province {code:?} names no province"));
            }
        },
    };
    let new_user = users::NewUser {
        email,
        name,
        role,
        province_id,
        school_id: args.school,
        valid_until: None,
        password_change_required: false,
    };
    let hash = hash_password(&password, settings.password_hashing)?;
    let today = crate::clock::Clock {
        fixed_today: settings.today,
    }
    .today();
    let user = users::create(&mut conn, &Access::operator(today), &new_user, &hash)?;
    println!(
        "created user {} <{}> with role {}",
        user.id, user.email, user.role
    );
    Ok(())
}

fn remind(settings: &Settings) -> anyhow::Result<()> {
    let db = Db::connect(&settings.database_url, 1)?;
    db.migrate()?;
    crate::app::derived::bring_up_to_date(&db)?;
    let today = crate::clock::Clock {
        fixed_today: settings.today,
    }
    .today();
    let holder = crate::random::random_id()?;
    let Some(outcome) = crate::jobs::reminders_for(&db, &holder, today, false)? else {
        println!(
            "reminders for {today}: another run (a server's daily run, or another `accredit remind`) is under way; it sends them"
        );
        return Ok(());
    };
    println!(
        "reminders for {today}: {} due, {} notices sent now (each reaches each of its school's quality officers once), {} weekly digests (Mondays)",
        outcome.due, outcome.sent, outcome.digests
    );
    Ok(())
}

fn evidence_check(settings: &Settings, repair: bool) -> anyhow::Result<()> {
    let db = Db::connect(&settings.database_url, 2)?;
    db.migrate()?;
    let storage = crate::evidence::open_storage(&settings.evidence, &db)?;
    let check = crate::evidence::check(&db, storage.as_ref())?;
    println!(
        "evidence in {}: {} files named by rows, {} stored",
        storage.describe(),
        check.named,
        check.stored
    );
    for missing in &check.missing {
        let ids: Vec<String> = missing.evidence_ids.iter().map(i64::to_string).collect();
        println!(
            "missing: {} (evidence {}): put it back from the evidence backup",
            missing.sha256,
            ids.join(", ")
        );
    }
    for orphan in &check.orphans {
        println!(
            "orphan: {} ({} bytes): no row names it",
            orphan.sha256, orphan.size
        );
    }
    // Multipart uploads begun in a bucket that no recorded upload owns: billed until aborted.
    let grace = std::time::Duration::try_from(settings.staging_max_age).unwrap_or_default();
    let abandoned = storage.abandoned(grace)?;
    match &abandoned {
        None => println!(
            "note: {} cannot list its multipart uploads; incomplete ones were not looked for",
            storage.describe()
        ),
        Some(uploads) => {
            for upload in uploads {
                println!(
                    "incomplete upload: {} (upload {}): begun, never finished, and no upload of ours owns it",
                    upload.key, upload.upload_id
                );
            }
        }
    }
    let mut abandoned_left = abandoned.as_ref().map_or(0, Vec::len);
    let mut orphans_left = check.orphans.len();
    if repair {
        let swept = storage
            .sweep(std::time::Duration::try_from(settings.staging_max_age).unwrap_or_default())?;
        let removed = crate::evidence::remove_orphans(storage.as_ref(), &check.orphans)?;
        orphans_left -= removed;
        // The sweep aborted the incomplete uploads found above (and any since).
        abandoned_left = 0;
        println!(
            "repaired: {removed} orphans removed ({orphans_left} younger than an hour left, perhaps uploads in progress), {swept} uploads left by crashes removed or aborted"
        );
    }
    if !check.missing.is_empty() || orphans_left > 0 || abandoned_left > 0 {
        anyhow::bail!(
            "{} missing, {} orphans, {} incomplete uploads{}",
            check.missing.len(),
            orphans_left,
            abandoned_left,
            if repair {
                ""
            } else {
                " (--repair removes orphans and aborts incomplete uploads)"
            }
        );
    }
    println!("evidence storage is consistent");
    Ok(())
}

fn evidence_migrate(settings: &Settings, to: &str) -> anyhow::Result<()> {
    let destination = crate::config::EvidenceLocation::from_url(to)?;
    let db = Db::connect(&settings.database_url, 2)?;
    db.migrate()?;
    let from = crate::evidence::open_storage(&settings.evidence, &db)?;
    let to = crate::evidence::open_storage(&destination, &db)?;
    println!(
        "copying the evidence in {} to {}",
        from.describe(),
        to.describe()
    );
    let done = crate::evidence::migrate(&db, from.as_ref(), to.as_ref(), |n, total, sha, what| {
        println!("[{n}/{total}] {sha}: {what}");
    })?;
    println!(
        "{} copied and verified ({} bytes), {} already there",
        done.copied, done.bytes, done.already_there
    );
    if !done.missing_in_source.is_empty() {
        anyhow::bail!(
            "{} files are missing in the source (see above); everything else is in {}",
            done.missing_in_source.len(),
            to.describe()
        );
    }
    println!(
        "done: set ACCREDIT_EVIDENCE_URL={} on every server and restart them; the old files can then be archived",
        to.describe()
    );
    Ok(())
}

fn verify_history(settings: &Settings) -> anyhow::Result<()> {
    let db = Db::connect(&settings.database_url, 1)?;
    db.migrate()?;
    let mut conn = db.get()?;
    match history::verify(&mut conn)? {
        Verdict::Intact { entries } => {
            println!("history intact: {entries} entries");
            Ok(())
        }
        Verdict::Broken { entry_id, reason } => {
            anyhow::bail!("history broken at entry {entry_id}: {reason}")
        }
    }
}

/// One line of standard input, without its line ending.
fn read_password(mut input: impl BufRead) -> anyhow::Result<String> {
    let mut line = String::new();
    input.read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        anyhow::bail!("no password on standard input (pipe it in, one line)");
    }
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn password_is_one_line_without_its_ending() {
        assert_eq!(
            read_password(&b"s3cret pass word\r\nnext"[..]).unwrap(),
            "s3cret pass word"
        );
        assert!(read_password(&b"\n"[..]).is_err());
        assert!(read_password(&b""[..]).is_err());
    }
}
