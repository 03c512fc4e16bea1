//! `AppState`: what every handler and extractor may use, built once by `startup`.

use std::sync::Arc;

use crate::auth::password::PasswordHasher;
use crate::auth::token::TokenKeys;
use crate::config::Settings;
use crate::db::Db;
use crate::templates::Templates;

pub struct AppState {
    pub clock: crate::clock::Clock,
    pub db: Db,
    pub settings: Arc<Settings>,
    pub templates: Arc<Templates>,
    pub tokens: TokenKeys,
    /// signs and checks the opt-out links of mails
    pub opt_out: crate::auth::opt_out::OptOutKeys,
    pub passwords: PasswordHasher,
    pub evidence: Arc<dyn crate::evidence::EvidenceStorage>,
    /// province-wide answers kept while their version in the database holds
    pub kept: Arc<crate::app::kept::Kept>,
    /// what the last check of a SQLite file found
    pub integrity: Arc<crate::backup::Integrity>,
    /// requests to the identity platforms
    pub outbound: crate::outbound::Outbound,
    /// posts to group robots
    pub robots: crate::robots::RobotClient,
}
