//! Sign-ins through an identity platform between the redirect and the callback (see the
//! migration `sign_in_flows`): written at the redirect, taken once at the callback.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::sign_in_flows as flows;
use crate::domain::sign_in::SignInMethod;
use crate::error::AppError;

/// How long a sign-in at the platform may take before its callback is refused.
pub const FLOW_LIFETIME: time::Duration = time::Duration::minutes(10);

/// One sign-in under way.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = flows, check_for_backend(crate::db::MultiBackend))]
pub struct Flow {
    pub state: String,
    pub method: SignInMethod,
    pub nonce: String,
    pub pkce_verifier: String,
    /// our own path to go to afterwards
    pub next: String,
    pub created_at: PrimitiveDateTime,
}

/// Records a sign-in leaving for the platform; the old, abandoned ones go.
pub fn begin(conn: &mut DbConn, flow: &Flow) -> Result<(), AppError> {
    diesel::delete(flows::table.filter(flows::created_at.lt(flow.created_at - FLOW_LIFETIME)))
        .execute(conn)?;
    diesel::insert_into(flows::table)
        .values((
            flows::state.eq(&flow.state),
            flows::method.eq(flow.method),
            flows::nonce.eq(&flow.nonce),
            flows::pkce_verifier.eq(&flow.pkce_verifier),
            flows::next.eq(&flow.next),
            flows::created_at.eq(flow.created_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Takes the sign-in of `state` by `method`, once: a second callback with the same state
/// (a replay), another method's, or one after the lifetime finds nothing.
pub fn take(
    conn: &mut DbConn,
    state: &str,
    method: SignInMethod,
    now: PrimitiveDateTime,
) -> Result<Option<Flow>, AppError> {
    let mine = flows::table
        .filter(flows::state.eq(state))
        .filter(flows::method.eq(method));
    let Some(flow) = mine.select(Flow::as_select()).first(conn).optional()? else {
        return Ok(None);
    };
    // Whoever deletes the row has it: of two callbacks at once, one.
    let deleted = diesel::delete(mine).execute(conn)?;
    Ok(Some(flow).filter(|f| deleted == 1 && f.created_at + FLOW_LIFETIME > now))
}
