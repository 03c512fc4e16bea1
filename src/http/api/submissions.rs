//! Submissions, their evidence files and the two-level sign-off.

use crate::http::api::body::{Body, OptionalBody, Query};
use std::io::Read;

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::app::{self, submissions::SubmissionInput};
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::domain::evidence::{SNIFF_BYTES, clean_label, sniff};
use crate::domain::text;
use crate::domain::workflow::{Action, ReviewDecision, SignOffDecision, SubmissionStatus};
use crate::error::Msg;
use crate::error::{AppError, ErrorBody};
use crate::evidence::Staged;
use crate::http::api::paging::Paged;
use crate::state::AppState;
use crate::store::submissions::{self, Event, Evidence, NewEvidence, Submission, SubmissionDetail};

/// Prepare a submission (the school's quality officer); it starts as a draft
#[utoipa::path(
    post, path = "/api/v1/schools/{id}/submissions", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SubmissionInput,
    responses((status = 201, body = SubmissionDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<SubmissionInput>,
) -> Result<HttpResponse, AppError> {
    let (school_id, this_year) = (id.into_inner(), state.clock.today().year());
    let input = body.into_inner();
    let created = user
        .run(move |conn, access| {
            let new = || input.validate(this_year);
            app::submissions::create(conn, access, school_id, new, now_utc())
        })
        .await?;
    Ok(HttpResponse::Created().json(created))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct StatusFilter {
    /// draft, submitted (a reviewer's queue), recommended (the sign-off queue), …
    #[param(schema_with = crate::app::schema::submission_status_filter)]
    pub status: Option<String>,
    /// only this school's
    pub school_id: Option<i64>,
}

/// The submissions the caller may see, newest first
#[utoipa::path(
    get, path = "/api/v1/submissions", tag = "submissions", security(("bearer" = [])),
    params(StatusFilter),
    responses((status = 200, body = [Submission]), (status = 422, body = ErrorBody))
)]
pub async fn list(
    user: CurrentUser,
    filter: Query<StatusFilter>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let status = match filter.status.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(SubmissionStatus::parse(raw).map_err(|e| AppError::field("status", e))?),
    };
    let filter = submissions::SubmissionFilter {
        status,
        school_id: filter.school_id,
    };
    let paging = page.paging.clone();
    let found = user
        .run(move |conn, access| submissions::page(conn, access, filter, &paging))
        .await?;
    Ok(page.respond(found))
}

/// One submission with its evidence (all rounds)
#[utoipa::path(
    get, path = "/api/v1/submissions/{id}", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = SubmissionDetail), (status = 404, body = ErrorBody))
)]
pub async fn get(user: CurrentUser, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| submissions::get(conn, access, id))
            .await?,
    ))
}

/// The steps of a submission, oldest first
#[utoipa::path(
    get, path = "/api/v1/submissions/{id}/events", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [Event]), (status = 404, body = ErrorBody))
)]
pub async fn events(
    user: CurrentUser,
    id: web::Path<i64>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    page.slice(
        user.run(move |conn, access| submissions::events(conn, access, id))
            .await?,
    )
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// the version last read
    pub version: Option<i64>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// review: recommend, request_changes, reject; sign-off: approve, request_changes, reject
    #[schema(value_type = crate::domain::workflow::ReviewDecision)]
    pub decision: String,
    pub comment: String,
    pub version: Option<i64>,
}

/// The multipart body of an evidence upload, as the document describes it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    /// the file: PDF, PNG, JPEG, Office documents, plain text or CSV (judged by its bytes)
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// what the file shows (blank counts as absent)
    #[schema(schema_with = crate::app::schema::optional_long_part)]
    description: Option<String>,
}

/// The body of a sign-off, as the document describes it: a `DecisionInput` whose decision
/// is one of the sign-off's words (the handler reads it as a `DecisionInput`).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct SignOffInput {
    #[schema(value_type = crate::domain::workflow::SignOffDecision)]
    decision: String,
    comment: String,
    version: Option<i64>,
}

/// Takes a step and answers the submission; shared by the API and the pages.
pub async fn take_step(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    action: Action,
    comment: Option<String>,
    version: Option<i64>,
) -> Result<SubmissionDetail, AppError> {
    let today = state.clock.today();
    user.run(move |conn, access| {
        let comment = comment.as_deref();
        app::submissions::step(conn, access, id, action, comment, version, today, now_utc())
    })
    .await
}

/// Submit (or resubmit) for review (the school's quality officer); 409 without evidence
#[utoipa::path(
    post, path = "/api/v1/submissions/{id}/submit", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body(content = StepInput, description = "optional"),
    responses((status = 200, body = SubmissionDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn submit(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: OptionalBody<StepInput>,
) -> Result<HttpResponse, AppError> {
    school_step(&state, &user, id.into_inner(), Action::Submit, body).await
}

/// Withdraw a draft or a submission sent back for changes (the school's quality officer)
#[utoipa::path(
    post, path = "/api/v1/submissions/{id}/withdraw", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body(content = StepInput, description = "optional"),
    responses((status = 200, body = SubmissionDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn withdraw(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: OptionalBody<StepInput>,
) -> Result<HttpResponse, AppError> {
    school_step(&state, &user, id.into_inner(), Action::Withdraw, body).await
}

/// A step of the school's own (submit, withdraw): no comment, an optional version.
async fn school_step(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    action: Action,
    body: OptionalBody<StepInput>,
) -> Result<HttpResponse, AppError> {
    let version = body.0.and_then(|b| b.version);
    Ok(HttpResponse::Ok().json(take_step(state, user, id, action, None, version).await?))
}

/// Review a submitted submission (a reviewer or province admin of its province)
#[utoipa::path(
    post, path = "/api/v1/submissions/{id}/review", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = DecisionInput,
    responses((status = 200, body = SubmissionDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn review(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<DecisionInput>,
) -> Result<HttpResponse, AppError> {
    let decision =
        ReviewDecision::parse(&body.decision).map_err(|e| AppError::field("decision", e))?;
    let DecisionInput {
        comment, version, ..
    } = body.into_inner();
    let detail = take_step(
        &state,
        &user,
        id.into_inner(),
        Action::Review(decision),
        Some(comment),
        version,
    )
    .await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Sign off a recommended submission (a province admin of its province who did not recommend it)
#[utoipa::path(
    post, path = "/api/v1/submissions/{id}/sign-off", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SignOffInput,
    responses((status = 200, body = SubmissionDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn sign_off(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<DecisionInput>,
) -> Result<HttpResponse, AppError> {
    let decision =
        SignOffDecision::parse(&body.decision).map_err(|e| AppError::field("decision", e))?;
    let DecisionInput {
        comment, version, ..
    } = body.into_inner();
    let detail = take_step(
        &state,
        &user,
        id.into_inner(),
        Action::SignOff(decision),
        Some(comment),
        version,
    )
    .await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Receives one upload: streamed to a staging file, hashed as it arrives, refused the
/// moment it passes the size limit, and refused if its first bytes are no accepted type.
/// Nothing is kept unless the whole file arrived; the caller commits it.
pub struct Received {
    pub staged: Staged,
    pub sha256: String,
    pub size: u64,
    pub content_type: &'static str,
    pub filename: String,
}

/// Writes buffered bytes off the async workers.
async fn flush(mut staged: Staged, buffer: Vec<u8>) -> Result<(Staged, Vec<u8>), AppError> {
    web::block(move || {
        staged.write_all(&buffer)?;
        Ok::<_, std::io::Error>((staged, buffer))
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("upload task failed: {e}")))?
    .map(|(staged, mut buffer)| {
        buffer.clear();
        (staged, buffer)
    })
    .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("writing an upload")))
}

const FLUSH_BYTES: usize = 1024 * 1024;

/// The outcome of a write spawned by `receive`.
async fn joined(
    pending: actix_web::rt::task::JoinHandle<Result<(Staged, Vec<u8>), AppError>>,
) -> Result<(Staged, Vec<u8>), AppError> {
    pending
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("upload task failed: {e}")))?
}

fn lost() -> AppError {
    AppError::Internal(anyhow::anyhow!("the staged upload went missing"))
}

/// The small text fields that may come with a file (`description`, a page's `csrf_token`).
#[derive(Default)]
pub struct UploadFields {
    pub description: Option<String>,
    pub csrf_token: String,
}

pub async fn receive(
    state: &AppState,
    mut payload: Multipart,
) -> Result<(Received, UploadFields), AppError> {
    let limit = state.settings.max_upload_bytes;
    let mut received: Option<Received> = None;
    let mut fields = UploadFields::default();
    let mut seen_description = false;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|e| {
            tracing::debug!(error = %e, "unreadable upload");
            AppError::bad_request("malformed_upload", Msg::UploadUnreadable)
        })?;
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "description" | "csrf_token" => {
                if name == "description" && seen_description {
                    return Err(AppError::field("description", Msg::SentTwice));
                }
                seen_description |= name == "description";
                // Up to four bytes a character: a description of 10,000 characters fits.
                let mut bytes = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|_| {
                        AppError::bad_request("malformed_upload", Msg::UploadUnreadable)
                    })?;
                    if bytes.len() + chunk.len() > 4 * text::LONG {
                        return Err(AppError::field(&name, Msg::TooLong { max: text::LONG }));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                let raw =
                    String::from_utf8(bytes).map_err(|_| AppError::field(&name, Msg::NotUtf8))?;
                if name == "csrf_token" {
                    fields.csrf_token = raw.trim().to_owned();
                } else {
                    fields.description = text::optional(Some(&raw), text::LONG)
                        .map_err(|problem| AppError::field("description", problem))?;
                }
            }
            "file" if received.is_some() => return Err(AppError::field("file", Msg::SentTwice)),
            "file" => {
                let label = clean_label(
                    field
                        .content_disposition()
                        .and_then(|d| d.get_filename())
                        .unwrap_or("evidence"),
                );
                let storage = state.evidence.clone();
                let staged = web::block(move || storage.stage())
                    .await
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?
                    .map_err(|e| {
                        AppError::Internal(anyhow::Error::new(e).context("staging an upload"))
                    })?;
                let mut hasher = Sha256::new();
                let mut size: u64 = 0;
                let mut head: Vec<u8> = Vec::with_capacity(SNIFF_BYTES);
                let mut content_type: Option<&'static str> = None;
                let mut buffer: Vec<u8> = Vec::with_capacity(FLUSH_BYTES);
                // One write in flight while the next megabyte arrives and is hashed: the
                // network and the disk work at the same time.
                let mut writing: Option<actix_web::rt::task::JoinHandle<_>> = None;
                let mut staged = Some(staged);
                let streamed: Result<(), AppError> = async {
                    while let Some(chunk) = field.next().await {
                        // A client that stops half-way ends here; the staged file removes itself.
                        let chunk = chunk.map_err(|e| {
                            tracing::debug!(error = %e, "upload cut off");
                            AppError::bad_request("upload_interrupted", Msg::UploadCutOff)
                        })?;
                        size += chunk.len() as u64;
                        if size > limit {
                            return Err(too_large(limit));
                        }
                        hasher.update(&chunk);
                        if content_type.is_none() {
                            let take = (SNIFF_BYTES - head.len()).min(chunk.len());
                            head.extend_from_slice(&chunk[..take]);
                            if head.len() >= SNIFF_BYTES {
                                content_type = Some(sniffed(&head, &label)?);
                            }
                        }
                        buffer.extend_from_slice(&chunk);
                        if buffer.len() >= FLUSH_BYTES {
                            let (file, spare) = match writing.take() {
                                Some(pending) => joined(pending).await?,
                                None => (
                                    staged.take().ok_or_else(lost)?,
                                    Vec::with_capacity(FLUSH_BYTES),
                                ),
                            };
                            let full = std::mem::replace(&mut buffer, spare);
                            writing = Some(actix_web::rt::spawn(flush(file, full)));
                        }
                    }
                    Ok(())
                }
                .await;
                if let Err(error) = streamed {
                    // Let the write in flight finish, so that the staged file is gone (it
                    // removes itself) before the answer is sent.
                    if let Some(pending) = writing.take() {
                        let _ = joined(pending).await;
                    }
                    return Err(error);
                }
                let content_type = match content_type {
                    Some(t) => t,
                    None => sniffed(&head, &label)?,
                };
                let file = match writing.take() {
                    Some(pending) => joined(pending).await?.0,
                    None => staged.take().ok_or_else(lost)?,
                };
                let (staged, _) = flush(file, buffer).await?;
                let sha256 = hasher
                    .finalize()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                received = Some(Received {
                    staged,
                    sha256,
                    size,
                    content_type,
                    filename: label,
                });
            }
            _ => {
                // Unknown fields are read and dropped.
                while let Some(chunk) = field.next().await {
                    chunk.map_err(|_| {
                        AppError::bad_request("malformed_upload", Msg::UploadUnreadable)
                    })?;
                }
            }
        }
    }
    let received = received.ok_or_else(|| AppError::field("file", Msg::NoFile))?;
    if received.size == 0 {
        return Err(AppError::field("file", Msg::FileEmpty));
    }
    Ok((received, fields))
}

/// The answer to an upload over the limit.
fn too_large(limit: u64) -> AppError {
    AppError::PayloadTooLarge(Msg::TooBig {
        max: crate::domain::numbers::bytes(limit),
    })
}

fn sniffed(head: &[u8], label: &str) -> Result<&'static str, AppError> {
    sniff(head, label)
        .map(|t| t.content_type())
        .ok_or_else(|| AppError::UnsupportedMediaType(Msg::FileType))
}

/// Stores a received file and its row; if the row cannot be written, a newly stored file is
/// removed again, so a failed upload leaves no trace.
pub async fn store_upload(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    received: Received,
    description: Option<String>,
) -> Result<Evidence, AppError> {
    let Received {
        staged,
        sha256,
        size,
        content_type,
        filename,
    } = received;
    let storage = state.evidence.clone();
    let hash = sha256.clone();
    let newly_stored = web::block(move || storage.commit(staged, &hash))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("storing an upload")))?;
    let file = NewEvidence {
        filename,
        content_type: content_type.to_owned(),
        size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
        sha256: sha256.clone(),
        description,
    };
    let result = user
        .run(move |conn, access| app::submissions::add_evidence(conn, access, id, &file, now_utc()))
        .await;
    if result.is_err() && newly_stored {
        let (storage, db) = (state.evidence.clone(), state.db.clone());
        let in_use = db.run({
            let sha = sha256.clone();
            move |conn| submissions::content_in_use(conn, &sha)
        });
        if !in_use.await.unwrap_or(true) {
            let _ = web::block(move || storage.remove(&sha256)).await;
        }
    }
    result
}

/// Upload an evidence file (multipart field `file`, optional `description`) while the
/// submission is a draft or has changes requested (the school's quality officer)
#[utoipa::path(
    post, path = "/api/v1/submissions/{id}/evidence", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = EvidenceUpload, description = "field `file`, optional `description`"),
    responses((status = 201, body = Evidence), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody))
)]
pub async fn upload(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    req: HttpRequest,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    // Who may upload, and whether the submission takes evidence now, before reading a byte.
    user.run(move |conn, access| submissions::check_evidence_allowed(conn, access, id))
        .await?;
    refuse_declared_oversize(&state, &req)?;
    let (received, fields) = receive(&state, payload).await?;
    let stored = store_upload(&state, &user, id, received, fields.description).await?;
    Ok(HttpResponse::Created().json(stored))
}

/// Refuses at once a body whose declared length is already past the limit.
pub fn refuse_declared_oversize(state: &AppState, req: &HttpRequest) -> Result<(), AppError> {
    let limit = state.settings.max_upload_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit + 64 * 1024) {
        return Err(too_large(limit));
    }
    Ok(())
}

/// An evidence file's bytes, with its content type
#[utoipa::path(
    get, path = "/api/v1/evidence/{id}/content", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "the file"), (status = 404, body = ErrorBody))
)]
pub async fn content(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let found = user
        .run(move |conn, access| submissions::evidence(conn, access, id))
        .await?;
    serve_file(&state, &found).await
}

/// Streams a stored evidence file to the client.
pub async fn serve_file(state: &AppState, found: &Evidence) -> Result<HttpResponse, AppError> {
    let storage = state.evidence.clone();
    let sha = found.sha256.clone();
    let file = web::block(move || storage.open(&sha))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                // The row is there but its file is not (a restore without the data
                // directory, or `accredit synth`, which writes metadata only): the reader
                // gets a plain 404, the operator an error in the log.
                tracing::error!(evidence = found.id, sha256 = %found.sha256, "evidence file missing from storage");
                AppError::NotFound
            } else {
                AppError::Internal(anyhow::Error::new(e).context("opening evidence"))
            }
        })?;
    let inline = found.content_type.starts_with("application/pdf")
        || found.content_type.starts_with("image/")
        || found.content_type.starts_with("text/");
    let disposition = format!(
        "{}; filename=\"{}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        found
            .filename
            .replace(|c: char| !c.is_ascii() || c == '"' || c == '\\', "_"),
        crate::templates::percent_encode(&found.filename)
    );
    Ok(HttpResponse::Ok()
        .content_type(found.content_type.as_str())
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header((header::CONTENT_LENGTH, found.size_bytes.to_string()))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .streaming(FileStream::new(file)))
}

/// One chunk read off the async workers: the file back, and what was read.
type PendingRead = std::pin::Pin<
    Box<dyn std::future::Future<Output = Option<(StoredFile, std::io::Result<Vec<u8>>)>>>,
>;

/// A stored file being read: from the disk or from the bucket.
type StoredFile = Box<dyn std::io::Read + Send>;

/// A file read in chunks on the blocking pool, so a large file is never held whole.
struct FileStream {
    file: Option<StoredFile>,
    pending: Option<PendingRead>,
}

impl FileStream {
    fn new(file: StoredFile) -> Self {
        FileStream {
            file: Some(file),
            pending: None,
        }
    }
}

impl futures_util::Stream for FileStream {
    type Item = Result<web::Bytes, std::io::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        if self.pending.is_none() {
            let Some(mut file) = self.file.take() else {
                return Poll::Ready(None);
            };
            self.pending = Some(Box::pin(async move {
                web::block(move || {
                    let mut buffer = vec![0u8; 256 * 1024];
                    let read = file.read(&mut buffer).map(|n| {
                        buffer.truncate(n);
                        buffer
                    });
                    (file, read)
                })
                .await
                .ok()
            }));
        }
        let Some(pending) = self.pending.as_mut() else {
            return Poll::Ready(None);
        };
        match pending.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                self.pending = None;
                match result {
                    None => Poll::Ready(Some(Err(std::io::Error::other("read task failed")))),
                    Some((_, Err(e))) => Poll::Ready(Some(Err(e))),
                    Some((_, Ok(bytes))) if bytes.is_empty() => Poll::Ready(None),
                    Some((file, Ok(bytes))) => {
                        self.file = Some(file);
                        Poll::Ready(Some(Ok(web::Bytes::from(bytes))))
                    }
                }
            }
        }
    }
}
