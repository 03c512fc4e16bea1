//! Users: people with one role, attached to a school, a province or (admins) nothing.

use diesel::prelude::*;
use serde::Serialize;
use time::{Date, PrimitiveDateTime};

use crate::db::schema::users;
use crate::db::{DbConn, MultiBackend, write_transaction};
use crate::domain::access::Access;
use crate::domain::lang::Lang;
use crate::domain::paging::{After, Listing, Paging};
use crate::domain::role::Attachment;
use crate::domain::{EmailAddress, PersonName, Role};
use crate::error::{AppError, FieldErrors, Msg};
use crate::store::{provinces, schools, sessions};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(crate::db::MultiBackend))]
pub(crate) struct UserRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    province_id: Option<i64>,
    school_id: Option<i64>,
    active: bool,
    language: String,
    valid_until: Option<Date>,
    external_id: Option<String>,
    password_change_required: bool,
}

/// A user as the rest of the application sees it (never with the password hash).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub province_id: Option<i64>,
    pub school_id: Option<i64>,
    pub active: bool,
    /// the language of the user's mails: `zh-CN` or `en`
    pub language: Lang,
    /// an expert's appointment ends after this day: they can no longer sign in
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_until: Option<Date>,
    /// the person's id at the province's identity platform (OIDC `sub`, CAS user, OAuth2
    /// id field), by which signing in there finds this account
    pub external_id: Option<String>,
    /// the account was set up by someone else: its first password sign-in must choose a
    /// new password before anything else
    pub password_change_required: bool,
}

impl User {
    /// What this user may see and do.
    pub fn access(&self, today: Date) -> Access {
        Access {
            user_id: self.id,
            role: self.role,
            province_id: self.province_id,
            school_id: self.school_id,
            grants: Vec::new(),
            panels: Vec::new(),
            today,
        }
    }

    /// May the account be used today: active, and (an expert) not past their appointment.
    pub fn in_office(&self, today: Date) -> bool {
        self.active && self.valid_until.is_none_or(|until| until >= today)
    }
}

impl TryFrom<UserRow> for User {
    type Error = AppError;
    fn try_from(row: UserRow) -> Result<User, AppError> {
        let role = Role::parse(&row.role).map_err(|e| {
            AppError::Internal(anyhow::anyhow!(
                "user {} has a stored role that {e}",
                row.id
            ))
        })?;
        Ok(User {
            id: row.id,
            email: row.email,
            name: row.name,
            role,
            province_id: row.province_id,
            school_id: row.school_id,
            active: row.active,
            // Written only from `Lang` codes; an unknown one reads as the default.
            language: Lang::from_tag(&row.language).unwrap_or(Lang::ZhCn),
            valid_until: row.valid_until,
            external_id: row.external_id,
            password_change_required: row.password_change_required,
        })
    }
}

/// A new account before the store checks it against the database.
#[derive(Debug)]
pub struct NewUser {
    pub email: EmailAddress,
    pub name: PersonName,
    pub role: Role,
    pub province_id: Option<i64>,
    pub school_id: Option<i64>,
    /// an expert's appointment ends after this day
    pub valid_until: Option<Date>,
    /// set up by someone else, who chose its first password
    pub password_change_required: bool,
}

/// Where a user belongs, settled against the database: a school user's province is their
/// school's; a province user has no school; an admin has neither.
fn settle_attachment(
    conn: &mut DbConn,
    user: &NewUser,
) -> Result<(Option<i64>, Option<i64>), AppError> {
    let mut fields = FieldErrors::new();
    let settled = match user.role.attachment() {
        Attachment::School => match user.school_id {
            None => {
                fields.insert(
                    "school_id".into(),
                    Msg::RequiredForRole {
                        role: user.role.to_string(),
                    },
                );
                None
            }
            Some(school_id) => match schools::find(conn, school_id)? {
                None => {
                    fields.insert("school_id".into(), Msg::NoSchool);
                    None
                }
                Some(school) if user.province_id.is_some_and(|p| p != school.province_id) => {
                    fields.insert("school_id".into(), Msg::NotInProvince);
                    None
                }
                Some(school) => Some((Some(school.province_id), Some(school.id))),
            },
        },
        Attachment::Province => {
            if user.school_id.is_some() {
                fields.insert(
                    "school_id".into(),
                    Msg::EmptyForRole {
                        role: user.role.to_string(),
                    },
                );
            }
            match user.province_id {
                None => {
                    fields.insert(
                        "province_id".into(),
                        Msg::RequiredForRole {
                            role: user.role.to_string(),
                        },
                    );
                    None
                }
                Some(id) if !provinces::exists(conn, id)? => {
                    fields.insert("province_id".into(), Msg::NoProvince);
                    None
                }
                Some(id) => Some((Some(id), None)),
            }
        }
        Attachment::ProvinceAndHomeSchool => {
            let home = match user.school_id {
                None => Some(None),
                Some(school_id) => match schools::find(conn, school_id)? {
                    None => {
                        fields.insert("school_id".into(), Msg::NoSchool);
                        None
                    }
                    Some(school) => Some(Some(school.id)),
                },
            };
            let province = match user.province_id {
                None => {
                    fields.insert(
                        "province_id".into(),
                        Msg::RequiredForRole {
                            role: user.role.to_string(),
                        },
                    );
                    None
                }
                Some(id) if !provinces::exists(conn, id)? => {
                    fields.insert("province_id".into(), Msg::NoProvince);
                    None
                }
                Some(id) => Some(id),
            };
            match (province, home) {
                (Some(p), Some(h)) => Some((Some(p), h)),
                _ => None,
            }
        }
        Attachment::Nothing => {
            if user.school_id.is_some() {
                fields.insert("school_id".into(), Msg::EmptyForAdmin);
            }
            if user.province_id.is_some() {
                fields.insert("province_id".into(), Msg::EmptyForAdmin);
            }
            Some((None, None))
        }
    };
    match settled {
        Some(pair) if fields.is_empty() => Ok(pair),
        _ => Err(AppError::Validation(fields)),
    }
}

/// May `access` give an account of `role` in `province_id`? Admins anyone; a province
/// admin anyone of their province but admins.
pub fn may_manage(access: &Access, role: Role, province_id: Option<i64>) -> bool {
    access.is_admin()
        || (role != Role::Admin && province_id.is_some_and(|p| access.administers_province(p)))
}

/// Creates a user with an already computed password hash. A taken e-mail address is a
/// 409 `duplicate_email`.
pub fn create(
    conn: &mut DbConn,
    access: &Access,
    user: &NewUser,
    password_hash: &str,
) -> Result<User, AppError> {
    Access::require(access.is_admin() || access.role == Role::ProvinceAdmin)?;
    write_transaction(conn, |conn| {
        let (province_id, school_id) = settle_attachment(conn, user)?;
        Access::require(may_manage(access, user.role, province_id))?;
        let taken: i64 = users::table
            .filter(users::email.eq(user.email.as_str()))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(duplicate_email());
        }
        let id: i64 = diesel::insert_into(users::table)
            .values((
                users::email.eq(user.email.as_str()),
                users::name.eq(user.name.as_str()),
                users::role.eq(user.role),
                users::province_id.eq(province_id),
                users::school_id.eq(school_id),
                users::password_hash.eq(password_hash),
                users::valid_until.eq(user.valid_until),
                users::password_change_required.eq(user.password_change_required),
            ))
            .returning(users::id)
            .get_result(conn)
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict { .. } => duplicate_email(),
                other => other,
            })?;
        find(conn, id)?.ok_or(AppError::NotFound)
    })
}

/// The account an identity platform vouched for: the one whose `external_id` is the
/// platform's id for the person, else the one with the address the platform vouches for.
/// Never creates one.
pub fn find_for_platform(
    conn: &mut DbConn,
    external_id: &str,
    email: Option<&str>,
) -> Result<Option<User>, AppError> {
    let by_id: Option<UserRow> = users::table
        .filter(users::external_id.eq(external_id))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    let row = match (by_id, email) {
        (Some(row), _) => Some(row),
        (None, Some(email)) => users::table
            .filter(users::email.eq(email.trim().to_lowercase()))
            .select(UserRow::as_select())
            .first(conn)
            .optional()?,
        (None, None) => None,
    };
    row.map(User::try_from).transpose()
}

/// The account and its password hash, for signing in.
pub fn find_credentials(
    conn: &mut DbConn,
    email: &str,
) -> Result<Option<(User, String)>, AppError> {
    let found: Option<(UserRow, String)> = users::table
        .filter(users::email.eq(email))
        .select((UserRow::as_select(), users::password_hash))
        .first(conn)
        .optional()?;
    found
        .map(|(row, hash)| Ok((User::try_from(row)?, hash)))
        .transpose()
}

/// The users `access` may manage: all for an admin, the province's for a province admin.
pub fn list(conn: &mut DbConn, access: &Access) -> Result<Vec<User>, AppError> {
    managed(access)?
        .order((users::role.asc(), users::email.asc()))
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// The accounts `access` manages (admin: all; province admin: their province's).
fn managed(access: &Access) -> Result<users::BoxedQuery<'static, MultiBackend>, AppError> {
    let query = users::table.into_boxed();
    match access.role {
        Role::Admin => Ok(query),
        Role::ProvinceAdmin => {
            let province = access.province_id.ok_or(AppError::Forbidden)?;
            Ok(query.filter(users::province_id.eq(province)))
        }
        _ => Err(AppError::Forbidden),
    }
}

/// One page of the accounts `access` manages, by address, and how many there are.
pub fn page(
    conn: &mut DbConn,
    access: &Access,
    paging: &Paging,
) -> Result<Listing<User>, AppError> {
    let total: i64 = managed(access)?.count().get_result(conn)?;
    let rows: Vec<UserRow> = crate::store::continue_by_text_id!(
        managed(access)?,
        users::email,
        users::id,
        &paging.after
    )
    .order((users::email.asc(), users::id.asc()))
    .limit(paging.limit + 1)
    .select(UserRow::as_select())
    .load(conn)?;
    let rows = rows
        .into_iter()
        .map(User::try_from)
        .collect::<Result<Vec<User>, AppError>>()?;
    Ok(Listing::by_key(rows, total, paging, |u: &User| {
        After::TextId(u.email.clone(), u.id)
    }))
}

/// A user `access` may see (404 otherwise).
pub fn get(conn: &mut DbConn, access: &Access, id: i64) -> Result<User, AppError> {
    match find(conn, id)? {
        Some(user) if access.sees_user(user.id, user.province_id) => Ok(user),
        _ => Err(AppError::NotFound),
    }
}

/// Changes to an account by someone who manages it. Absent fields stay as they are; the
/// school and province follow the role (a province role has no school, an admin neither).
#[derive(Debug, Default)]
pub struct UserPatch {
    pub name: Option<PersonName>,
    pub role: Option<Role>,
    pub province_id: Option<i64>,
    pub school_id: Option<i64>,
    pub active: Option<bool>,
    /// an expert's end of appointment: `Some(None)` clears it
    pub valid_until: Option<Option<Date>>,
    /// the identity platform's id: `Some(None)` clears it
    pub external_id: Option<Option<String>>,
}

pub fn update(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
    patch: &UserPatch,
    now: PrimitiveDateTime,
) -> Result<User, AppError> {
    write_transaction(conn, |conn| {
        let current = get(conn, access, id)?;
        Access::require(may_manage(access, current.role, current.province_id))?;
        if patch.active == Some(false) && current.id == access.user_id {
            return Err(AppError::field("active", Msg::OwnAccount));
        }
        let role = patch.role.unwrap_or(current.role);
        let attachment_changes =
            patch.role.is_some() || patch.province_id.is_some() || patch.school_id.is_some();
        let (province_id, school_id) = if attachment_changes {
            let wanted = NewUser {
                email: EmailAddress::parse(&current.email).map_err(|e| anyhow::anyhow!(e))?,
                name: PersonName::parse(&current.name).map_err(|e| anyhow::anyhow!(e))?,
                role,
                province_id: match role.attachment() {
                    Attachment::Nothing => None,
                    Attachment::School => patch.province_id,
                    Attachment::Province | Attachment::ProvinceAndHomeSchool => {
                        patch.province_id.or(current.province_id)
                    }
                },
                school_id: match role.attachment() {
                    Attachment::School | Attachment::ProvinceAndHomeSchool => {
                        patch.school_id.or(current.school_id)
                    }
                    _ => None,
                },
                valid_until: None,
                password_change_required: current.password_change_required,
            };
            let settled = settle_attachment(conn, &wanted)?;
            Access::require(may_manage(access, role, settled.0))?;
            settled
        } else {
            (current.province_id, current.school_id)
        };
        diesel::update(users::table.find(id))
            .set((
                users::name.eq(patch
                    .name
                    .as_ref()
                    .map_or(current.name.as_str(), |n| n.as_str())),
                users::role.eq(role),
                users::province_id.eq(province_id),
                users::school_id.eq(school_id),
                users::active.eq(patch.active.unwrap_or(current.active)),
                users::valid_until.eq(patch.valid_until.unwrap_or(current.valid_until)),
                users::external_id.eq(patch
                    .external_id
                    .clone()
                    .unwrap_or(current.external_id.clone())),
                users::updated_at.eq(now),
            ))
            .execute(conn)
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict { code, .. } if code == Msg::Duplicate.code() => {
                    AppError::conflict_of(Msg::ExternalIdTaken)
                }
                other => other,
            })?;
        if patch.active == Some(false) {
            sessions::revoke_all(conn, id, now)?;
        }
        find(conn, id)?.ok_or(AppError::NotFound)
    })
}

/// The active reviewers and admins of a province: who is told of its objections.
pub fn staff_of_province(conn: &mut DbConn, province_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(users::table
        .filter(users::province_id.eq(province_id))
        .filter(users::role.eq_any([Role::Reviewer, Role::ProvinceAdmin]))
        .filter(users::active.eq(true))
        .select(users::id)
        .load(conn)?)
}

/// The stored password hash of a user.
pub fn password_hash(conn: &mut DbConn, user_id: i64) -> Result<String, AppError> {
    Ok(users::table
        .find(user_id)
        .select(users::password_hash)
        .first(conn)?)
}

/// A user's own display name.
pub fn set_name(
    conn: &mut DbConn,
    user_id: i64,
    name: &PersonName,
    now: PrimitiveDateTime,
) -> Result<User, AppError> {
    diesel::update(users::table.find(user_id))
        .set((users::name.eq(name.as_str()), users::updated_at.eq(now)))
        .execute(conn)?;
    find(conn, user_id)?.ok_or(AppError::NotFound)
}

/// The language of the user's mails (the pages' switch sets it too).
pub fn set_language(
    conn: &mut DbConn,
    user_id: i64,
    language: Lang,
    now: PrimitiveDateTime,
) -> Result<User, AppError> {
    diesel::update(users::table.find(user_id))
        .set((
            users::language.eq(language.code()),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, user_id)?.ok_or(AppError::NotFound)
}

/// A new password hash; every session of the user ends.
pub fn set_password(
    conn: &mut DbConn,
    user_id: i64,
    password_hash: &str,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    write_transaction(conn, |conn| {
        diesel::update(users::table.find(user_id))
            .set((
                users::password_hash.eq(password_hash),
                users::password_change_required.eq(false),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
        sessions::revoke_all(conn, user_id, now)?;
        Ok(())
    })
}

fn duplicate_email() -> AppError {
    AppError::conflict_of(Msg::DuplicateEmail)
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<User>, AppError> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::try_from)
        .transpose()
}

/// How many accounts are active (the admin's home).
pub fn count_active(conn: &mut DbConn) -> Result<i64, AppError> {
    Ok(users::table
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)?)
}
