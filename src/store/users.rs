//! Users: people with one role, attached to a school, a province or (admins) nothing.

use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::users;
use crate::db::{DbConn, write_transaction};
use crate::domain::role::Attachment;
use crate::domain::{EmailAddress, PersonName, Role};
use crate::error::{AppError, FieldErrors};
use crate::store::{provinces, schools};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(crate::db::MultiBackend))]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    province_id: Option<i64>,
    school_id: Option<i64>,
    active: bool,
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
                    format!("is required for the role {}", user.role),
                );
                None
            }
            Some(school_id) => match schools::find(conn, school_id)? {
                None => {
                    fields.insert("school_id".into(), "names no school".into());
                    None
                }
                Some(school) if user.province_id.is_some_and(|p| p != school.province_id) => {
                    fields.insert("school_id".into(), "is not in the given province".into());
                    None
                }
                Some(school) => Some((Some(school.province_id), Some(school.id))),
            },
        },
        Attachment::Province => {
            if user.school_id.is_some() {
                fields.insert(
                    "school_id".into(),
                    format!("must be empty for the role {}", user.role),
                );
            }
            match user.province_id {
                None => {
                    fields.insert(
                        "province_id".into(),
                        format!("is required for the role {}", user.role),
                    );
                    None
                }
                Some(id) if !provinces::exists(conn, id)? => {
                    fields.insert("province_id".into(), "names no province".into());
                    None
                }
                Some(id) => Some((Some(id), None)),
            }
        }
        Attachment::Nothing => {
            if user.school_id.is_some() {
                fields.insert("school_id".into(), "must be empty for an admin".into());
            }
            if user.province_id.is_some() {
                fields.insert("province_id".into(), "must be empty for an admin".into());
            }
            Some((None, None))
        }
    };
    match settled {
        Some(pair) if fields.is_empty() => Ok(pair),
        _ => Err(AppError::Validation(fields)),
    }
}

/// Creates a user with an already computed password hash. A taken e-mail address is a
/// 409 `duplicate_email`.
pub fn create(conn: &mut DbConn, user: &NewUser, password_hash: &str) -> Result<User, AppError> {
    write_transaction(conn, |conn| {
        let (province_id, school_id) = settle_attachment(conn, user)?;
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
                users::role.eq(user.role.as_str()),
                users::province_id.eq(province_id),
                users::school_id.eq(school_id),
                users::password_hash.eq(password_hash),
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

fn duplicate_email() -> AppError {
    AppError::conflict(
        "duplicate_email",
        "a user with this e-mail address already exists",
    )
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
