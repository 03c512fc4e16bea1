//! How people sign in, and what the access log (访问日志, a graded-protection control)
//! keeps of it.

crate::vocabulary!(
    /// How a session was opened: the password form, or one of the province's identity
    /// platforms.
    SignInMethod {
        Password => "password",
        Oidc => "oidc",
        Oauth2 => "oauth2",
        Cas => "cas",
    }
);

crate::vocabulary!(
    /// What an entry of the access log records.
    AccessEvent {
        /// a sign-in, successful or not
        SignIn => "sign_in",
        /// a sign-out by the person
        SignOut => "sign_out",
        /// a page session ended after the idle minutes without a request
        IdleTimeout => "idle_timeout",
    }
);

crate::vocabulary!(
    /// Why a sign-in failed, as the log keeps it (the person is told less).
    SignInRefusal {
        /// a wrong password, or an e-mail address no account has
        InvalidCredentials => "invalid_credentials",
        /// too many failures: the attempt was not even checked
        Throttled => "throttled",
        /// the identity platform vouched for someone with no account here
        UnknownAccount => "unknown_account",
        /// the account is deactivated, or an expert's appointment is over
        NotInOffice => "not_in_office",
        /// the platform's answer did not hold: a forged state, a used code or ticket, a
        /// token that does not verify
        Rejected => "rejected",
    }
);

/// Entries are kept this long (at least 180 days are asked for): a year, so that last
/// year's assessment can still be shown this year's.
pub const ACCESS_LOG_DAYS: i64 = 366;

/// How much of a user agent the log keeps.
pub const USER_AGENT_CHARS: usize = 300;
