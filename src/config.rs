//! `Settings`: the whole configuration as one typed value, read once from the environment
//! (and, if `ACCREDIT_CONFIG` names one, a file of `KEY=VALUE` lines that the environment
//! overrides) and passed down. Nothing reads the environment anywhere else.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::db::DatabaseUrl;

/// A value that must never be printed: `Debug` shows `[redacted]`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Cost of the argon2id password hash. The defaults are OWASP's recommendation
/// (19 MiB, 2 iterations, 1 lane); only tests configure cheaper ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordHashing {
    pub memory_kib: u32,
    pub iterations: u32,
    pub lanes: u32,
}

impl Default for PasswordHashing {
    fn default() -> Self {
        PasswordHashing {
            memory_kib: 19 * 1024,
            iterations: 2,
            lanes: 1,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub bind: String,
    pub data_dir: PathBuf,
    /// `None`: generated once and kept in the data directory (see `token_secret`).
    pub jwt_secret: Option<Secret>,
    pub max_upload_bytes: u64,
    pub password_hashing: PasswordHashing,
    /// Mark cookies `Secure` (set when served behind HTTPS).
    pub secure_cookies: bool,
    pub db_pool_size: u32,
    /// HTTP worker threads; `None` means one per core.
    pub workers: Option<usize>,
    /// How long a sign-in lasts.
    pub token_ttl: time::Duration,
    /// A fixed "today" for due dates (`ACCREDIT_TODAY`), for tests and demonstrations.
    pub today: Option<time::Date>,
    /// Mail delivery; `None` when `ACCREDIT_SMTP_URL` is unset (nothing is sent).
    pub mail: Option<MailSettings>,
    /// The address people use (`ACCREDIT_PUBLIC_URL`), for links in mails; without a
    /// trailing slash.
    pub public_url: String,
    /// How the outbox is worked through (intervals, retries).
    pub delivery: Delivery,
    /// `serve` puts the day's reminders in the outbox once a day
    /// (`ACCREDIT_DAILY_REMINDERS`, on unless set to false: then run `accredit remind`
    /// from cron).
    pub daily_reminders: bool,
    /// Where evidence files are kept: the data directory, or a bucket
    /// (`ACCREDIT_EVIDENCE_URL=s3://bucket/prefix`).
    pub evidence: EvidenceLocation,
    /// Staged uploads (and incomplete multipart uploads) older than this are removed, at
    /// start-up and every hour (`ACCREDIT_STAGING_MAX_AGE_MINUTES`).
    pub staging_max_age: time::Duration,
    /// A page session ends after this long without a request (`ACCREDIT_IDLE_MINUTES`,
    /// default 30).
    pub idle_timeout: time::Duration,
    /// Password rules (`ACCREDIT_PASSWORD_CLASSES`, `ACCREDIT_FIRST_PASSWORD_CHANGE`).
    pub password_policy: crate::domain::PasswordPolicy,
    /// The province's identity platforms people may sign in with.
    pub platforms: Platforms,
    /// Hosts (`host` or `host:port`, lower case) that group robots may call besides the
    /// vendors' (`ACCREDIT_WEBHOOK_HOSTS`): on-premises gateways, test servers.
    pub webhook_hosts: Vec<String>,
}

/// The identity platforms configured (each `None` when its variables are unset).
#[derive(Clone, Debug, Default)]
pub struct Platforms {
    pub oidc: Option<OidcSettings>,
    pub oauth2: Option<OAuth2Settings>,
    pub cas: Option<CasSettings>,
}

/// An OpenID Connect provider (`ACCREDIT_OIDC_*`).
#[derive(Clone, Debug)]
pub struct OidcSettings {
    /// discovery is at `{issuer}/.well-known/openid-configuration`
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    /// the button's words, e.g. 福建省教育统一身份认证
    pub label: String,
}

/// A plain OAuth2 platform with a userinfo endpoint (`ACCREDIT_OAUTH2_*`).
#[derive(Clone, Debug)]
pub struct OAuth2Settings {
    pub authorize_url: String,
    pub token_url: String,
    pub userinfo_url: String,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    /// space-separated scopes asked for (may be empty)
    pub scope: String,
    /// the userinfo field matched to `external_id` (default `sub`)
    pub id_field: String,
    pub label: String,
}

/// A CAS server (`ACCREDIT_CAS_URL`, `ACCREDIT_CAS_LABEL`).
#[derive(Clone, Debug)]
pub struct CasSettings {
    /// e.g. `https://cas.example.edu.cn/cas`, without a trailing slash
    pub url: String,
    pub label: String,
}

impl Platforms {
    /// The platforms configured: each method with its label and its address (the issuer,
    /// the authorization endpoint, the CAS server), in the order the sign-in page offers them.
    pub fn configured(&self) -> Vec<(crate::domain::sign_in::SignInMethod, &str, &str)> {
        use crate::domain::sign_in::SignInMethod;
        [
            self.oidc
                .as_ref()
                .map(|o| (SignInMethod::Oidc, o.label.as_str(), o.issuer.as_str())),
            self.oauth2.as_ref().map(|o| {
                (
                    SignInMethod::Oauth2,
                    o.label.as_str(),
                    o.authorize_url.as_str(),
                )
            }),
            self.cas
                .as_ref()
                .map(|c| (SignInMethod::Cas, c.label.as_str(), c.url.as_str())),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn parse(get: &Values<'_>) -> Result<Platforms, ConfigError> {
        let oidc = match get.get("ACCREDIT_OIDC_ISSUER") {
            None => None,
            Some(issuer) => Some(OidcSettings {
                issuer: platform_url("ACCREDIT_OIDC_ISSUER", issuer)?
                    .trim_end_matches('/')
                    .to_owned(),
                client_id: required(get, "ACCREDIT_OIDC_CLIENT_ID", "ACCREDIT_OIDC_ISSUER")?,
                client_secret: get
                    .get("ACCREDIT_OIDC_CLIENT_SECRET")
                    .map(|s| Secret::new(s.to_owned())),
                label: get
                    .get("ACCREDIT_OIDC_LABEL")
                    .unwrap_or("统一身份认证 (OpenID Connect)")
                    .to_owned(),
            }),
        };
        let oauth2 = match get.get("ACCREDIT_OAUTH2_AUTHORIZE_URL") {
            None => None,
            Some(authorize) => {
                let url = |key: &str| -> Result<String, ConfigError> {
                    platform_url(key, &required(get, key, "ACCREDIT_OAUTH2_AUTHORIZE_URL")?)
                };
                Some(OAuth2Settings {
                    authorize_url: platform_url("ACCREDIT_OAUTH2_AUTHORIZE_URL", authorize)?,
                    token_url: url("ACCREDIT_OAUTH2_TOKEN_URL")?,
                    userinfo_url: url("ACCREDIT_OAUTH2_USERINFO_URL")?,
                    client_id: required(
                        get,
                        "ACCREDIT_OAUTH2_CLIENT_ID",
                        "ACCREDIT_OAUTH2_AUTHORIZE_URL",
                    )?,
                    client_secret: get
                        .get("ACCREDIT_OAUTH2_CLIENT_SECRET")
                        .map(|s| Secret::new(s.to_owned())),
                    scope: get
                        .get("ACCREDIT_OAUTH2_SCOPE")
                        .unwrap_or_default()
                        .to_owned(),
                    id_field: get
                        .get("ACCREDIT_OAUTH2_ID_FIELD")
                        .unwrap_or("sub")
                        .to_owned(),
                    label: get
                        .get("ACCREDIT_OAUTH2_LABEL")
                        .unwrap_or("教育平台账号 (OAuth2)")
                        .to_owned(),
                })
            }
        };
        let cas = match get.get("ACCREDIT_CAS_URL") {
            None => None,
            Some(url) => Some(CasSettings {
                url: platform_url("ACCREDIT_CAS_URL", url)?
                    .trim_end_matches('/')
                    .to_owned(),
                label: get
                    .get("ACCREDIT_CAS_LABEL")
                    .unwrap_or("统一身份认证 (CAS)")
                    .to_owned(),
            }),
        };
        Ok(Platforms { oidc, oauth2, cas })
    }
}

/// A variable that must be set when `because` is.
fn required(get: &Values<'_>, key: &str, because: &str) -> Result<String, ConfigError> {
    get.get(key)
        .map(str::to_owned)
        .ok_or_else(|| config_error(key, format!("must be set when {because} is")))
}

/// An identity platform's address: `https://`, or plain `http://` on a loopback address
/// only (a test's server), so that no code or token crosses a network in the clear.
fn platform_url(key: &str, raw: &str) -> Result<String, ConfigError> {
    let url = openidconnect::url::Url::parse(raw)
        .map_err(|e| config_error(key, format!("is not an address ({e}): {raw:?}")))?;
    let loopback = match url.host() {
        Some(openidconnect::url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(openidconnect::url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(openidconnect::url::Host::Domain(name)) => name == "localhost",
        None => return Err(config_error(key, format!("names no host: {raw:?}"))),
    };
    match url.scheme() {
        "https" => Ok(raw.to_owned()),
        "http" if loopback => Ok(raw.to_owned()),
        _ => Err(config_error(
            key,
            format!(
                "must be an https:// address (plain http:// only on a loopback address), got {raw:?}"
            ),
        )),
    }
}

/// Where evidence files are kept.
#[derive(Clone, Debug)]
pub enum EvidenceLocation {
    /// `<data dir>/evidence`
    Directory(PathBuf),
    Bucket(BucketSettings),
}

/// An S3-compatible bucket and how to reach it.
#[derive(Clone, Debug)]
pub struct BucketSettings {
    pub bucket: String,
    /// key prefix without slashes at either end; may be empty
    pub prefix: String,
    /// `AWS_ENDPOINT_URL` (MinIO, OSS, COS, test servers): path-style requests, and plain
    /// `http://` allowed; unset: AWS itself
    pub endpoint: Option<String>,
    /// `AWS_REGION`, `us-east-1` when unset
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<Secret>,
}

impl BucketSettings {
    /// Parses `s3://bucket/prefix`, taking the rest from the `AWS_*` variables in `get`.
    fn parse(url: &str, get: &Values<'_>) -> Result<BucketSettings, ConfigError> {
        let rest = url.strip_prefix("s3://").ok_or_else(|| {
            config_error(
                "ACCREDIT_EVIDENCE_URL",
                format!("must be s3://bucket/prefix, got {url:?}"),
            )
        })?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid_bucket = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !valid_bucket {
            return Err(config_error(
                "ACCREDIT_EVIDENCE_URL",
                format!(
                    "names no valid bucket (3 to 63 lower-case letters, digits, '-', '.'): {bucket:?}"
                ),
            ));
        }
        Ok(BucketSettings {
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
            endpoint: get
                .get("AWS_ENDPOINT_URL")
                .map(|e| e.trim_end_matches('/').to_owned()),
            region: get.get("AWS_REGION").unwrap_or("us-east-1").to_owned(),
            access_key_id: get.get("AWS_ACCESS_KEY_ID").map(str::to_owned),
            secret_access_key: get
                .get("AWS_SECRET_ACCESS_KEY")
                .map(|s| Secret::new(s.to_owned())),
        })
    }

    /// `s3://bucket/prefix`, for messages.
    pub fn url(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix)
    }
}

impl EvidenceLocation {
    /// The location a URL names (`s3://…`), with the `AWS_*` variables of the environment;
    /// for `accredit evidence migrate --to`.
    pub fn from_url(url: &str) -> Result<EvidenceLocation, ConfigError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Ok(EvidenceLocation::Bucket(BucketSettings::parse(
            url,
            &Values(&env),
        )?))
    }
}

/// Where mail goes and whom it is from.
#[derive(Clone, Debug)]
pub struct MailSettings {
    /// `smtp://user:pass@host:587` (STARTTLS when the server offers it, required on port
    /// 587), `smtps://…` (TLS from the start), or `smtp://host:25?tls=none` for a relay on
    /// the same network.
    pub smtp_url: Secret,
    /// The host named by `smtp_url`, safe to show.
    pub smtp_host: String,
    pub from: String,
}

/// How often the sender looks at the outbox and how it retries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// Seconds between two looks at the outbox inside `serve`.
    pub interval_seconds: u64,
    /// The first retry's delay in seconds; each further one doubles it, up to an hour.
    pub retry_seconds: u64,
    /// Attempts before a mail is marked failed and waits for an admin.
    pub max_attempts: i32,
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery {
            interval_seconds: 10,
            retry_seconds: 60,
            max_attempts: 8,
        }
    }
}

/// A configuration problem, naming the variable.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {variable} {problem}")]
pub struct ConfigError {
    pub variable: String,
    pub problem: String,
}

fn config_error(variable: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable: variable.to_owned(),
        problem: problem.into(),
    }
}

impl Settings {
    /// Reads the process environment (and the optional config file).
    pub fn from_env() -> Result<Settings, ConfigError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        let mut values = match env.get("ACCREDIT_CONFIG") {
            Some(path) => read_config_file(Path::new(path))?,
            None => HashMap::new(),
        };
        values.extend(env);
        let cwd = std::env::current_dir()
            .map_err(|e| config_error("working directory", format!("cannot be read: {e}")))?;
        Settings::from_values(&values, &cwd)
    }

    /// Builds settings from a map of variables; relative paths resolve against `cwd`.
    pub fn from_values(
        values: &HashMap<String, String>,
        cwd: &Path,
    ) -> Result<Settings, ConfigError> {
        let get = Values(values);
        let get = &get;
        let database_url = DatabaseUrl::parse(
            get.get("DATABASE_URL").unwrap_or("data/accredit.sqlite3"),
            cwd,
        )
        .map_err(|p| config_error("DATABASE_URL", p))?;
        let data_dir = cwd.join(get.get("ACCREDIT_DATA_DIR").unwrap_or("data"));
        let defaults = PasswordHashing::default();
        let password_hashing = PasswordHashing {
            memory_kib: parse_number(get, "ACCREDIT_ARGON2_MEMORY_KIB", defaults.memory_kib)?,
            iterations: parse_number(get, "ACCREDIT_ARGON2_ITERATIONS", defaults.iterations)?,
            lanes: parse_number(get, "ACCREDIT_ARGON2_LANES", defaults.lanes)?,
        };
        let workers = match get.get("ACCREDIT_WORKERS") {
            None => None,
            Some(_) => Some(parse_number::<usize>(get, "ACCREDIT_WORKERS", 0)?.max(1)),
        };
        let bind = get
            .get("ACCREDIT_BIND")
            .unwrap_or("127.0.0.1:8080")
            .to_owned();
        let public_url = match get.get("ACCREDIT_PUBLIC_URL") {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                url.trim_end_matches('/').to_owned()
            }
            Some(other) => {
                return Err(config_error(
                    "ACCREDIT_PUBLIC_URL",
                    format!("must start with http:// or https://, got {other:?}"),
                ));
            }
            None => format!("http://{bind}"),
        };
        let mail = match get.get("ACCREDIT_SMTP_URL") {
            None => None,
            Some(url) => {
                if get.get("ACCREDIT_PUBLIC_URL").is_none() {
                    return Err(config_error(
                        "ACCREDIT_PUBLIC_URL",
                        "must be set when ACCREDIT_SMTP_URL is: it is the address in the links of mails (such as https://accredit.example.gov.cn)",
                    ));
                }
                Some(mail_settings(url, get.get("ACCREDIT_MAIL_FROM"))?)
            }
        };
        let defaults = Delivery::default();
        let delivery = Delivery {
            interval_seconds: parse_number(
                get,
                "ACCREDIT_MAIL_INTERVAL_SECONDS",
                defaults.interval_seconds,
            )?
            .max(1),
            retry_seconds: parse_number(
                get,
                "ACCREDIT_MAIL_RETRY_SECONDS",
                defaults.retry_seconds,
            )?,
            max_attempts: parse_number(get, "ACCREDIT_MAIL_MAX_ATTEMPTS", defaults.max_attempts)?
                .max(1),
        };
        Ok(Settings {
            database_url,
            bind,
            data_dir: data_dir.clone(),
            jwt_secret: get
                .get("ACCREDIT_JWT_SECRET")
                .map(|s| Secret::new(s.to_owned())),
            max_upload_bytes: parse_number(get, "ACCREDIT_MAX_UPLOAD_BYTES", 52_428_800)?,
            password_hashing,
            secure_cookies: parse_bool(get, "ACCREDIT_SECURE_COOKIES", false)?,
            db_pool_size: parse_number(get, "ACCREDIT_DB_POOL_SIZE", 10)?,
            workers,
            token_ttl: time::Duration::minutes(parse_number(
                get,
                "ACCREDIT_TOKEN_TTL_MINUTES",
                480,
            )?),
            today: match get.get("ACCREDIT_TODAY") {
                None => None,
                Some(raw) => Some(
                    crate::domain::dates::parse_date(raw)
                        .map_err(|p| config_error("ACCREDIT_TODAY", p.to_string()))?,
                ),
            },
            mail,
            public_url,
            delivery,
            daily_reminders: parse_bool(get, "ACCREDIT_DAILY_REMINDERS", true)?,
            evidence: match get.get("ACCREDIT_EVIDENCE_URL") {
                None => EvidenceLocation::Directory(data_dir.join("evidence")),
                Some(url) => EvidenceLocation::Bucket(BucketSettings::parse(url, get)?),
            },
            staging_max_age: time::Duration::minutes(parse_number(
                get,
                "ACCREDIT_STAGING_MAX_AGE_MINUTES",
                360,
            )?),
            idle_timeout: time::Duration::minutes(
                parse_number::<i64>(get, "ACCREDIT_IDLE_MINUTES", 30)?.max(1),
            ),
            password_policy: crate::domain::PasswordPolicy {
                classes: match parse_number::<u8>(get, "ACCREDIT_PASSWORD_CLASSES", 0)? {
                    n @ 0..=4 => n,
                    n => {
                        return Err(config_error(
                            "ACCREDIT_PASSWORD_CLASSES",
                            format!("must be a number of classes from 1 to 4 (usually 3), got {n}"),
                        ));
                    }
                },
                first_change: parse_bool(get, "ACCREDIT_FIRST_PASSWORD_CHANGE", true)?,
            },
            platforms: Platforms::parse(get)?,
            webhook_hosts: get
                .get("ACCREDIT_WEBHOOK_HOSTS")
                .unwrap_or_default()
                .split(',')
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        })
    }

    /// The token signing secret: `ACCREDIT_JWT_SECRET` if set, else the one kept in
    /// `<data dir>/jwt-secret` (mode 0600), generated on first use. Servers that share a
    /// PostgreSQL database must share this value (set the variable on each).
    pub fn token_secret(&self) -> anyhow::Result<Secret> {
        if let Some(secret) = &self.jwt_secret {
            if secret.expose().len() < 32 {
                anyhow::bail!("configuration: ACCREDIT_JWT_SECRET must be at least 32 characters");
            }
            return Ok(secret.clone());
        }
        load_or_create_secret(&self.data_dir.join("jwt-secret"))
    }
}

/// Checks the SMTP URL's shape (the transport reads it again when it connects) and the
/// sender's address; both are needed once mail is configured.
fn mail_settings(url: &str, from: Option<&str>) -> Result<MailSettings, ConfigError> {
    let rest = url
        .strip_prefix("smtp://")
        .or_else(|| url.strip_prefix("smtps://"))
        .ok_or_else(|| {
            config_error(
                "ACCREDIT_SMTP_URL",
                "must start with smtp:// or smtps:// (the password is not shown)",
            )
        })?;
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if host.is_empty() || host.starts_with(':') {
        return Err(config_error("ACCREDIT_SMTP_URL", "names no host"));
    }
    let from = from.ok_or_else(|| {
        config_error(
            "ACCREDIT_MAIL_FROM",
            "must be set when ACCREDIT_SMTP_URL is (the sender, such as accredit@example.edu.cn)",
        )
    })?;
    if from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(config_error(
            "ACCREDIT_MAIL_FROM",
            format!("is not an e-mail address: {from:?}"),
        ));
    }
    Ok(MailSettings {
        smtp_url: Secret::new(url.to_owned()),
        smtp_host: host.to_owned(),
        from: from.to_owned(),
    })
}

/// The configured variables; a blank value counts as unset.
struct Values<'a>(&'a HashMap<String, String>);

impl<'a> Values<'a> {
    fn get(&self, key: &str) -> Option<&'a str> {
        self.0.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

fn parse_number<T: std::str::FromStr>(
    get: &Values<'_>,
    key: &str,
    default: T,
) -> Result<T, ConfigError> {
    match get.get(key) {
        None => Ok(default),
        Some(raw) => raw.parse().map_err(|_| {
            config_error(
                key,
                format!("must be a non-negative whole number, got {raw:?}"),
            )
        }),
    }
}

fn parse_bool(get: &Values<'_>, key: &str, default: bool) -> Result<bool, ConfigError> {
    match get.get(key).map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(config_error(
            key,
            format!("must be true or false, got {other:?}"),
        )),
    }
}

/// Reads `KEY=VALUE` lines; blank lines and lines starting with `#` are skipped.
fn read_config_file(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| config_error("ACCREDIT_CONFIG", format!("{}: {e}", path.display())))?;
    let mut values = HashMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').ok_or_else(|| {
            config_error(
                "ACCREDIT_CONFIG",
                format!("{} line {}: expected KEY=VALUE", path.display(), number + 1),
            )
        })?;
        let value = value.trim().trim_matches('"');
        values.insert(key.trim().to_owned(), value.to_owned());
    }
    Ok(values)
}

fn load_or_create_secret(path: &Path) -> anyhow::Result<Secret> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::read_to_string(path) {
        Ok(existing) if existing.trim().len() >= 32 => {
            return Ok(Secret::new(existing.trim().to_owned()));
        }
        Ok(_) => anyhow::bail!("{} is too short to be a token secret", path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut bytes = [0u8; 48];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    // create_new: two processes starting at once never overwrite each other's secret.
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(mut file) => {
            file.write_all(secret.as_bytes())?;
            file.sync_all()?;
            Ok(Secret::new(secret))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create_secret(path),
        Err(e) => Err(anyhow::anyhow!("cannot write {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_follow_the_contract() {
        let s = Settings::from_values(&values(&[]), Path::new("/srv")).unwrap();
        assert_eq!(
            s.database_url,
            DatabaseUrl::Sqlite("/srv/data/accredit.sqlite3".into())
        );
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.data_dir, PathBuf::from("/srv/data"));
        assert_eq!(s.max_upload_bytes, 52_428_800);
        assert_eq!(s.password_hashing, PasswordHashing::default());
        assert_eq!(s.password_hashing.memory_kib, 19_456);
        assert!(s.jwt_secret.is_none());
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = Settings::from_values(
            &values(&[("ACCREDIT_MAX_UPLOAD_BYTES", "lots")]),
            Path::new("/"),
        )
        .unwrap_err();
        assert_eq!(err.variable, "ACCREDIT_MAX_UPLOAD_BYTES");
        let err = Settings::from_values(&values(&[("DATABASE_URL", "mysql://x")]), Path::new("/"))
            .unwrap_err();
        assert_eq!(err.variable, "DATABASE_URL");
    }

    #[test]
    fn mail_needs_a_sender_and_hides_the_password() {
        let s = Settings::from_values(&values(&[]), Path::new("/")).unwrap();
        assert!(s.mail.is_none());
        assert_eq!(s.public_url, "http://127.0.0.1:8080");
        let err = Settings::from_values(
            &values(&[("ACCREDIT_SMTP_URL", "smtp://u:p@mail.example.cn:587")]),
            Path::new("/"),
        )
        .unwrap_err();
        assert_eq!(err.variable, "ACCREDIT_PUBLIC_URL");
        let err = Settings::from_values(
            &values(&[
                ("ACCREDIT_SMTP_URL", "smtp://u:p@mail.example.cn:587"),
                ("ACCREDIT_PUBLIC_URL", "https://accredit.example.cn"),
            ]),
            Path::new("/"),
        )
        .unwrap_err();
        assert_eq!(err.variable, "ACCREDIT_MAIL_FROM");
        let err = Settings::from_values(
            &values(&[
                ("ACCREDIT_SMTP_URL", "http://u:p@mail.example.cn"),
                ("ACCREDIT_MAIL_FROM", "a@b.cn"),
                ("ACCREDIT_PUBLIC_URL", "https://accredit.example.cn"),
            ]),
            Path::new("/"),
        )
        .unwrap_err();
        assert_eq!(err.variable, "ACCREDIT_SMTP_URL");
        assert!(!err.to_string().contains(":p@"));
        let s = Settings::from_values(
            &values(&[
                ("ACCREDIT_SMTP_URL", "smtps://u:secret@mail.example.cn:465"),
                ("ACCREDIT_MAIL_FROM", "accredit <noreply@example.cn>"),
                ("ACCREDIT_PUBLIC_URL", "https://accredit.example.cn/"),
            ]),
            Path::new("/"),
        )
        .unwrap();
        let mail = s.mail.unwrap();
        assert_eq!(mail.smtp_host, "mail.example.cn:465");
        assert!(!format!("{mail:?}").contains("secret"));
        assert_eq!(s.public_url, "https://accredit.example.cn");
    }

    #[test]
    fn evidence_goes_to_a_bucket_when_a_url_says_so() {
        let s = Settings::from_values(&values(&[]), Path::new("/srv")).unwrap();
        assert!(
            matches!(s.evidence, EvidenceLocation::Directory(ref d) if d == Path::new("/srv/data/evidence"))
        );
        let s = Settings::from_values(
            &values(&[
                ("ACCREDIT_EVIDENCE_URL", "s3://accredit-evidence/fj/prod/"),
                ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000/"),
                ("AWS_SECRET_ACCESS_KEY", "hush"),
            ]),
            Path::new("/"),
        )
        .unwrap();
        let EvidenceLocation::Bucket(bucket) = s.evidence else {
            panic!("a bucket");
        };
        assert_eq!(
            (bucket.bucket.as_str(), bucket.prefix.as_str()),
            ("accredit-evidence", "fj/prod")
        );
        assert_eq!(bucket.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(bucket.region, "us-east-1");
        assert!(!format!("{bucket:?}").contains("hush"));
        for bad in ["/var/evidence", "s3://", "s3://UPPER/x", "gs://b/p"] {
            let err =
                Settings::from_values(&values(&[("ACCREDIT_EVIDENCE_URL", bad)]), Path::new("/"))
                    .unwrap_err();
            assert_eq!(err.variable, "ACCREDIT_EVIDENCE_URL", "{bad}");
        }
    }

    #[test]
    fn secret_is_generated_once_with_mode_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let s = Settings::from_values(
            &values(&[("ACCREDIT_DATA_DIR", dir.path().to_str().unwrap())]),
            Path::new("/"),
        )
        .unwrap();
        let first = s.token_secret().unwrap();
        let second = s.token_secret().unwrap();
        assert_eq!(first.expose(), second.expose());
        assert!(first.expose().len() >= 64);
        let mode = std::fs::metadata(dir.path().join("jwt-secret"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(format!("{first:?}"), "[redacted]");
    }

    #[test]
    fn config_file_is_overridden_by_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("accredit.env");
        std::fs::write(
            &file,
            "# comment\nACCREDIT_BIND=0.0.0.0:9000\nACCREDIT_WORKERS=3\n",
        )
        .unwrap();
        let mut v = read_config_file(&file).unwrap();
        v.extend(values(&[("ACCREDIT_WORKERS", "2")]));
        let s = Settings::from_values(&v, Path::new("/")).unwrap();
        assert_eq!(s.bind, "0.0.0.0:9000");
        assert_eq!(s.workers, Some(2));
    }
}
