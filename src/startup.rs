//! Builds the running application from `Settings`: connects and migrates the database,
//! binds the listener (port 0 in tests, the real port read back), starts the server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::{HttpServer, web};
use anyhow::Context;

use crate::auth::password::PasswordHasher;
use crate::auth::token::TokenKeys;
use crate::config::Settings;
use crate::db::Db;
use crate::http::{AppState, build_app};
use crate::templates::Templates;

pub struct Application {
    port: u16,
    server: Server,
    /// held while serving, so that `accredit restore` refuses to run under us
    _lock: Option<crate::backup::ServerLock>,
}

impl Application {
    /// Everything that can fail at start-up fails here, before the server accepts anyone.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let lock = crate::backup::ServerLock::serving(&settings.database_url)?;
        let url = settings.database_url.clone();
        let pool_size = settings.db_pool_size;
        let db = web::block(move || -> anyhow::Result<Db> {
            let db = Db::connect(&url, pool_size)
                .with_context(|| format!("database {}", url.redacted()))?;
            let applied = db.migrate()?;
            if !applied.is_empty() {
                tracing::info!(?applied, "applied migrations");
            }
            crate::app::derived::bring_up_to_date(&db)?;
            crate::jobs::return_freed_memory();
            Ok(db)
        })
        .await??;
        let token_secret = settings.token_secret()?;
        let templates = Arc::new(Templates::load()?);
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let workers = settings.workers;
        let passwords = PasswordHasher::new(settings.password_hashing)?;
        // Off the async workers: a bucket is reached once before we serve.
        let (location, handle) = (settings.evidence.clone(), db.clone());
        let evidence =
            web::block(move || crate::evidence::open_storage(&location, &handle)).await??;
        tracing::info!("evidence in {}", evidence.describe());
        let clock = crate::clock::Clock {
            fixed_today: settings.today,
        };
        let robots = crate::robots::RobotClient::new(&settings)?;
        let state = web::Data::new(AppState {
            clock,
            db,
            settings: Arc::new(settings),
            templates,
            tokens: TokenKeys::new(&token_secret),
            opt_out: crate::auth::opt_out::OptOutKeys::new(&token_secret),
            passwords,
            evidence,
            kept: Arc::new(crate::app::kept::Kept::new()),
            integrity: Arc::new(crate::backup::Integrity::default()),
            outbound: crate::outbound::Outbound::new()?,
            robots,
        });
        actix_web::rt::spawn(crate::backup::watch_integrity(
            state.db.clone(),
            state.integrity.clone(),
        ));
        actix_web::rt::spawn(crate::jobs::sweep_staging(
            state.evidence.clone(),
            state.settings.staging_max_age,
        ));
        if state.settings.daily_reminders {
            actix_web::rt::spawn(crate::jobs::daily_reminders(state.db.clone(), clock));
        }
        actix_web::rt::spawn(
            Arc::new(crate::robots::Sender::new(
                &state.settings,
                state.db.clone(),
            )?)
            .run(),
        );
        match crate::mail::Sender::from_settings(
            &state.settings,
            state.db.clone(),
            state.templates.clone(),
        )? {
            Some(sender) => {
                actix_web::rt::spawn(Arc::new(sender).run());
            }
            None => tracing::warn!(
                "mail is not configured (ACCREDIT_SMTP_URL): nothing is sent; the outbox keeps its mails"
            ),
        }
        let mut server = HttpServer::new(move || build_app(state.clone()))
            .shutdown_timeout(10)
            .listen(listener)?;
        if let Some(workers) = workers {
            server = server.workers(workers);
        }
        Ok(Application {
            port,
            server: server.run(),
            _lock: lock,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server from elsewhere.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM or Ctrl-C (both finish the requests in flight first) or until
    /// stopped through a handle.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
