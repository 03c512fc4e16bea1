//! A school's quality-management certificate (at most one current certificate).

use diesel::prelude::*;
use serde::Serialize;
use time::{Date, PrimitiveDateTime};

use crate::db::DbConn;
use crate::db::schema::certificates as cert;
use crate::domain::access::Access;
use crate::domain::history::{Action, Journal};
use crate::error::AppError;
use crate::store::record::{change, json, writable_school};
use crate::store::schools;

#[derive(Clone, Debug, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = cert, check_for_backend(crate::db::MultiBackend))]
pub struct Certificate {
    pub id: i64,
    pub school_id: i64,
    pub standard: String,
    pub certification_body: String,
    pub certificate_number: String,
    pub scope: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub issued_on: Date,
    #[schema(value_type = String, format = Date)]
    pub expires_on: Date,
    pub version: i64,
}

#[derive(Debug)]
pub struct CertificateFields {
    pub standard: String,
    pub certification_body: String,
    pub certificate_number: String,
    pub scope: Option<String>,
    pub issued_on: Date,
    pub expires_on: Date,
}

fn find(conn: &mut DbConn, school_id: i64) -> Result<Option<Certificate>, AppError> {
    Ok(cert::table
        .filter(cert::school_id.eq(school_id))
        .select(Certificate::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
) -> Result<Option<Certificate>, AppError> {
    schools::get(conn, access, school_id)?;
    find(conn, school_id)
}

/// Records the school's current certificate, replacing the previous one.
pub fn put(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    school_id: i64,
    fields: &CertificateFields,
    now: PrimitiveDateTime,
) -> Result<Certificate, AppError> {
    writable_school(conn, access, school_id)?;
    let before = find(conn, school_id)?;
    let values = (
        cert::standard.eq(&fields.standard),
        cert::certification_body.eq(&fields.certification_body),
        cert::certificate_number.eq(&fields.certificate_number),
        cert::scope.eq(&fields.scope),
        cert::issued_on.eq(fields.issued_on),
        cert::expires_on.eq(fields.expires_on),
        cert::updated_at.eq(now),
    );
    match &before {
        Some(old) => {
            diesel::update(cert::table.find(old.id))
                .set((values, cert::version.eq(old.version + 1)))
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(cert::table)
                .values((cert::school_id.eq(school_id), values))
                .execute(conn)?;
        }
    }
    let after = find(conn, school_id)?.ok_or(AppError::NotFound)?;
    journal.record(change(
        access,
        school_id,
        Action::CertificateSet,
        after.id,
        before.as_ref().and_then(json),
        json(&after),
        now,
    ));
    Ok(after)
}
