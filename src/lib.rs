//! accredit: the accreditation record of vocational and technical schools, kept by the
//! schools and reviewed and signed off by their province.
//!
//! Layers, and the one way they depend: `http` → `auth`, `store`, `domain`;
//! `store` → `domain`, `db`; `domain` depends on nothing of ours. See
//! `docs/architecture.md` for how a request travels from route to table.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod app;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod disk;
pub mod domain;
pub mod error;
pub mod evidence;
pub mod http;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod outbound;
pub mod random;
pub mod report;
pub mod robots;
pub mod sheets;
pub mod startup;
pub mod state;
pub mod store;
pub mod synth;
pub mod templates;
