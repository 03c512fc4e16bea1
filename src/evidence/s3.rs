//! Evidence in an S3-compatible bucket (AWS S3, MinIO, Alibaba Cloud OSS, Tencent COS), through
//! `object_store`. Objects are `<prefix>/<first two hex digits>/<sha256>`, as on disk.
//!
//! An upload is a multipart upload to `<prefix>/staging/<random>`, sent in parts of
//! `PART_BYTES` as it arrives (memory stays flat whatever the file's size); its start is
//! recorded in `evidence_uploads`, so that an upload cut off by a crash can be found and
//! aborted by the sweep. On commit the upload is completed, copied to its hash's key (unless
//! the same content is there already) and the staging object deleted. Reading streams the
//! object back in the chunks the server sends.
//!
//! `object_store` is async; our storage is called from the blocking pool (and the command
//! line), so this type owns a small runtime and blocks on it. It is never blocked on from an
//! async task.

use std::io::{self, Read};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use actix_web::web::Bytes;
use diesel::prelude::*;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path as Key;
use object_store::{MultipartId, ObjectStore, ObjectStoreExt, PutPayload};
use tokio::runtime::{Handle, Runtime};

use super::{EvidenceStorage, OpenUpload, Staged, StagedKind, Stored, is_sha256, not_a_hash};
use crate::config::BucketSettings;
use crate::db::Db;
use crate::db::schema::evidence_uploads;
use crate::random::random_id;

/// The size of each part of a multipart upload (S3 wants at least 5 MiB but for the last).
const PART_BYTES: usize = 8 * 1024 * 1024;

pub struct S3Storage {
    shared: Arc<Shared>,
    /// Owned here, handed out as `Handle`s; shut down without blocking when dropped.
    runtime: Option<Runtime>,
    url: String,
}

/// What staged uploads need of their storage.
struct Shared {
    store: AmazonS3,
    /// ListMultipartUploads, which `store` does not offer
    lister: super::s3_uploads::Lister,
    handle: Handle,
    prefix: String,
    db: Db,
}

impl Shared {
    fn key(&self, name: &str) -> Key {
        if self.prefix.is_empty() {
            Key::from(name)
        } else {
            Key::from(format!("{}/{name}", self.prefix))
        }
    }

    fn object_key(&self, sha256: &str) -> io::Result<Key> {
        if !is_sha256(sha256) {
            return Err(not_a_hash());
        }
        Ok(self.key(&format!("{}/{sha256}", &sha256[..2])))
    }

    fn block_on<T>(
        &self,
        work: impl std::future::Future<Output = object_store::Result<T>>,
    ) -> io::Result<T> {
        self.handle.block_on(work).map_err(io::Error::from)
    }

    fn forget_upload(&self, key: &Key) -> io::Result<()> {
        let mut conn = self.db.get().map_err(io::Error::other)?;
        diesel::delete(evidence_uploads::table.find(key.as_ref()))
            .execute(&mut conn)
            .map_err(io::Error::other)?;
        Ok(())
    }
}

impl S3Storage {
    pub fn new(bucket: &BucketSettings, db: Db) -> anyhow::Result<S3Storage> {
        // A few quick retries: an upload waits for them, a person waits for the upload.
        let retry = object_store::RetryConfig {
            max_retries: 3,
            retry_timeout: Duration::from_secs(20),
            ..Default::default()
        };
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&bucket.bucket)
            .with_region(&bucket.region)
            .with_retry(retry);
        if let Some(endpoint) = &bucket.endpoint {
            // MinIO, OSS, COS and test servers: path-style, and http:// on a private network.
            builder = builder
                .with_endpoint(endpoint)
                .with_virtual_hosted_style_request(false)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some(id) = &bucket.access_key_id {
            builder = builder.with_access_key_id(id);
        }
        if let Some(secret) = &bucket.secret_access_key {
            builder = builder.with_secret_access_key(secret.expose());
        }
        let store = builder
            .build()
            .map_err(|e| anyhow::anyhow!("configuration: ACCREDIT_EVIDENCE_URL: {e}"))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("accredit-s3")
            .enable_all()
            .build()?;
        let storage = S3Storage {
            shared: Arc::new(Shared {
                store,
                lister: super::s3_uploads::Lister::new(bucket)?,
                handle: runtime.handle().clone(),
                prefix: bucket.prefix.clone(),
                db,
            }),
            runtime: Some(runtime),
            url: bucket.url(),
        };
        // One listing, so that a wrong bucket, endpoint or key stops the start with a clear
        // message rather than failing the first upload.
        let shared = &storage.shared;
        let prefix = shared.key("staging");
        shared
            .block_on(shared.store.list_with_delimiter(Some(&prefix)))
            .map_err(|e| {
                anyhow::anyhow!(
                    "evidence bucket {} (ACCREDIT_EVIDENCE_URL, AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): {e}",
                    storage.url
                )
            })?;
        Ok(storage)
    }
}

impl Drop for S3Storage {
    fn drop(&mut self) {
        // Dropping a runtime waits for its threads, which may not be done on an async task.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl EvidenceStorage for S3Storage {
    fn stage(&self) -> io::Result<Staged> {
        let shared = &self.shared;
        let key = shared.key(&format!(
            "staging/{}",
            random_id().map_err(io::Error::other)?
        ));
        let upload = shared.block_on(shared.store.create_multipart(&key))?;
        let recorded = (|| {
            let mut conn = shared.db.get().map_err(io::Error::other)?;
            diesel::insert_into(evidence_uploads::table)
                .values((
                    evidence_uploads::object_key.eq(key.as_ref()),
                    evidence_uploads::upload_id.eq(&upload),
                    evidence_uploads::started_at.eq(crate::clock::now_utc()),
                ))
                .execute(&mut conn)
                .map_err(io::Error::other)
        })();
        if let Err(error) = recorded {
            let _ = shared.block_on(shared.store.abort_multipart(&key, &upload));
            return Err(error);
        }
        Ok(Staged(StagedKind::Bucket(S3Staged {
            shared: shared.clone(),
            key,
            upload,
            parts: Vec::new(),
            buffer: Vec::new(),
            open: true,
        })))
    }

    fn commit(&self, mut staged: Staged, sha256: &str) -> io::Result<bool> {
        let shared = &self.shared;
        let target = shared.object_key(sha256)?;
        let StagedKind::Bucket(upload) = &mut staged.0 else {
            return Err(io::Error::other("staged in another storage"));
        };
        let result = (|| {
            upload.complete()?;
            let staging = upload.key.clone();
            let existed = match shared.block_on(shared.store.head(&target)) {
                Ok(_) => true,
                Err(e) if e.kind() == io::ErrorKind::NotFound => false,
                Err(e) => return Err(e),
            };
            if !existed {
                shared.block_on(shared.store.copy(&staging, &target))?;
            }
            shared.block_on(shared.store.delete(&staging))?;
            Ok(!existed)
        })();
        if result.is_err() {
            let _ = shared.block_on(shared.store.delete(&upload.key));
        }
        result
    }

    fn open(&self, sha256: &str) -> io::Result<Box<dyn Read + Send>> {
        let shared = &self.shared;
        let key = shared.object_key(sha256)?;
        let object = shared.block_on(shared.store.get(&key))?;
        Ok(Box::new(ObjectReader {
            handle: shared.handle.clone(),
            stream: object.into_stream(),
            chunk: Bytes::new(),
        }))
    }

    fn remove(&self, sha256: &str) -> io::Result<()> {
        let shared = &self.shared;
        let key = shared.object_key(sha256)?;
        shared.block_on(shared.store.delete(&key))
    }

    fn list(&self) -> io::Result<Vec<Stored>> {
        let shared = &self.shared;
        let prefix = (!shared.prefix.is_empty()).then(|| Key::from(shared.prefix.as_str()));
        let metas: Vec<object_store::ObjectMeta> = shared.block_on(async {
            let mut all = Vec::new();
            let mut listing = shared.store.list(prefix.as_ref());
            while let Some(meta) = listing.next().await {
                all.push(meta?);
            }
            Ok(all)
        })?;
        let mut stored: Vec<Stored> = metas
            .into_iter()
            .filter_map(|meta| {
                let name = meta.location.filename()?.to_owned();
                // `<prefix>/<xx>/<sha256>`: staging objects and anything else are not ours.
                let parent = meta.location.as_ref().strip_suffix(name.as_str())?;
                let fan_out = parent.trim_end_matches('/').rsplit('/').next()?;
                (is_sha256(&name) && fan_out == &name[..2]).then(|| Stored {
                    sha256: name,
                    size: meta.size,
                    modified: SystemTime::UNIX_EPOCH
                        + Duration::from_secs(meta.last_modified.timestamp().max(0) as u64),
                })
            })
            .collect();
        stored.sort_by(|a, b| a.sha256.cmp(&b.sha256));
        Ok(stored)
    }

    fn size_of(&self, sha256: &str) -> io::Result<Option<u64>> {
        let shared = &self.shared;
        let key = shared.object_key(sha256)?;
        match shared.block_on(shared.store.head(&key)) {
            Ok(meta) => Ok(Some(meta.size)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn sweep(&self, age: Duration) -> io::Result<usize> {
        let shared = &self.shared;
        let age = time::Duration::try_from(age).map_err(io::Error::other)?;
        let cutoff = crate::clock::now_utc() - age;
        // Multipart uploads that a crash cut off: recorded, never completed.
        let stale: Vec<(String, String)> = {
            let mut conn = shared.db.get().map_err(io::Error::other)?;
            evidence_uploads::table
                .filter(evidence_uploads::started_at.le(cutoff))
                .select((evidence_uploads::object_key, evidence_uploads::upload_id))
                .load(&mut conn)
                .map_err(io::Error::other)?
        };
        let mut removed = 0;
        for (key, upload) in stale {
            let key = Key::from(key);
            match shared.block_on(shared.store.abort_multipart(&key, &upload)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            // Completed but not yet copied when the crash came: the staging object goes too.
            match shared.block_on(shared.store.delete(&key)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            shared.forget_upload(&key)?;
            removed += 1;
        }
        // Begun but never recorded: found by listing the bucket.
        for upload in self
            .abandoned(Duration::try_from(age).unwrap_or_default())?
            .unwrap_or_default()
        {
            self.abort(&upload)?;
            removed += 1;
        }
        Ok(removed)
    }

    fn abandoned(&self, age: Duration) -> io::Result<Option<Vec<OpenUpload>>> {
        let shared = &self.shared;
        let staging = format!("{}/", shared.key("staging").as_ref());
        let Some(open) = shared
            .handle
            .block_on(shared.lister.open_uploads(&shared.store, &staging))?
        else {
            return Ok(None);
        };
        let recorded: std::collections::HashSet<(String, String)> = {
            let mut conn = shared.db.get().map_err(io::Error::other)?;
            evidence_uploads::table
                .select((evidence_uploads::object_key, evidence_uploads::upload_id))
                .load::<(String, String)>(&mut conn)
                .map_err(io::Error::other)?
                .into_iter()
                .collect()
        };
        Ok(Some(super::s3_uploads::unowned(
            open,
            &recorded,
            SystemTime::now() - age,
        )))
    }

    fn abort(&self, upload: &OpenUpload) -> io::Result<()> {
        let shared = &self.shared;
        let key = Key::from(upload.key.as_str());
        match shared.block_on(shared.store.abort_multipart(&key, &upload.upload_id)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn describe(&self) -> String {
        self.url.clone()
    }
}

/// An upload being received into the bucket.
pub struct S3Staged {
    shared: Arc<Shared>,
    key: Key,
    upload: MultipartId,
    parts: Vec<PartId>,
    buffer: Vec<u8>,
    /// until completed or aborted
    open: bool,
}

impl S3Staged {
    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        if !self.open {
            return Err(io::Error::other("staged upload already closed"));
        }
        self.buffer.extend_from_slice(bytes);
        while self.buffer.len() >= PART_BYTES {
            let rest = self.buffer.split_off(PART_BYTES);
            let part = std::mem::replace(&mut self.buffer, rest);
            self.send_part(part)?;
        }
        Ok(())
    }

    fn send_part(&mut self, part: Vec<u8>) -> io::Result<()> {
        let shared = &self.shared;
        let id = shared.block_on(shared.store.put_part(
            &self.key,
            &self.upload,
            self.parts.len(),
            PutPayload::from(part),
        ))?;
        self.parts.push(id);
        Ok(())
    }

    /// Sends the last part and completes the upload: the staging object exists after this.
    fn complete(&mut self) -> io::Result<()> {
        if !self.open {
            return Err(io::Error::other("staged upload already closed"));
        }
        let last = std::mem::take(&mut self.buffer);
        if !last.is_empty() || self.parts.is_empty() {
            self.send_part(last)?;
        }
        let shared = self.shared.clone();
        let parts = std::mem::take(&mut self.parts);
        shared.block_on(
            shared
                .store
                .complete_multipart(&self.key, &self.upload, parts),
        )?;
        self.open = false;
        // The staging object is deleted by the commit that follows; should the process die
        // first, the record lets the sweep delete it.
        Ok(())
    }
}

impl Drop for S3Staged {
    fn drop(&mut self) {
        let shared = self.shared.clone();
        let key = self.key.clone();
        let upload = std::mem::take(&mut self.upload);
        let completed = !self.open;
        // Not blocking here: a drop may happen on an async task (a client that went away).
        self.shared.handle.spawn(async move {
            if !completed
                && let Err(error) = shared.store.abort_multipart(&key, &upload).await
            {
                tracing::warn!(%error, key = %key, "could not abort a staged upload; the sweep will");
                return;
            }
            let _ = tokio::task::spawn_blocking(move || shared.forget_upload(&key)).await;
        });
    }
}

/// A stored object read in the chunks the server sends.
struct ObjectReader {
    handle: Handle,
    stream: BoxStream<'static, object_store::Result<Bytes>>,
    chunk: Bytes,
}

impl Read for ObjectReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            match self.handle.block_on(self.stream.next()) {
                None => return Ok(0),
                Some(next) => self.chunk = next.map_err(io::Error::from)?,
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk[..n]);
        self.chunk = self.chunk.slice(n..);
        Ok(n)
    }
}
