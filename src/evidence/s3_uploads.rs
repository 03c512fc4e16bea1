//! S3's ListMultipartUploads, which `object_store` does not offer: the multipart uploads
//! still open under a prefix, so that those no recorded upload owns (a crash between
//! starting one and recording it, a database restored from an older backup) can be found
//! and aborted. The request is signed by `object_store`'s own SigV4 authorizer with the
//! store's credentials and sent by its HTTP client; the XML answer is read with quick-xml.

use std::io;
use std::time::{Duration, SystemTime};

use object_store::aws::{AmazonS3, AwsAuthorizer};
use object_store::client::{
    ClientOptions, HttpClient, HttpConnector, HttpRequestBody, ReqwestConnector,
};
use serde::Deserialize;

use crate::config::BucketSettings;

/// An open multipart upload the bucket reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenUpload {
    pub key: String,
    pub upload_id: String,
    pub initiated: SystemTime,
}

/// Lists a bucket's open multipart uploads.
pub struct Lister {
    client: HttpClient,
    /// the bucket's URL, path-style on a custom endpoint
    bucket_url: String,
    region: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListResult {
    #[serde(default)]
    upload: Vec<UploadEntry>,
    #[serde(default)]
    is_truncated: bool,
    next_key_marker: Option<String>,
    next_upload_id_marker: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UploadEntry {
    key: String,
    upload_id: String,
    initiated: String,
}

impl Lister {
    pub fn new(bucket: &BucketSettings) -> anyhow::Result<Lister> {
        let bucket_url = match &bucket.endpoint {
            Some(endpoint) => format!("{}/{}", endpoint.trim_end_matches('/'), bucket.bucket),
            None => format!(
                "https://{}.s3.{}.amazonaws.com",
                bucket.bucket, bucket.region
            ),
        };
        let options = ClientOptions::new().with_allow_http(
            bucket
                .endpoint
                .as_deref()
                .is_some_and(|e| e.starts_with("http://")),
        );
        let client = ReqwestConnector::default().connect(&options)?;
        Ok(Lister {
            client,
            bucket_url,
            region: bucket.region.clone(),
        })
    }

    /// Every open multipart upload whose key starts with `prefix`, a page of up to 1,000
    /// at a time. `Ok(None)` when the server does not offer the listing (501).
    pub async fn open_uploads(
        &self,
        store: &AmazonS3,
        prefix: &str,
    ) -> io::Result<Option<Vec<OpenUpload>>> {
        let credential = store
            .credentials()
            .get_credential()
            .await
            .map_err(io::Error::other)?;
        let mut found = Vec::new();
        let mut markers: Option<(String, String)> = None;
        loop {
            let mut url = format!("{}?uploads&prefix={}", self.bucket_url, encode(prefix));
            if let Some((key, upload)) = &markers {
                url.push_str(&format!(
                    "&key-marker={}&upload-id-marker={}",
                    encode(key),
                    encode(upload)
                ));
            }
            let mut request = http::Request::builder()
                .method(http::Method::GET)
                .uri(url.as_str())
                .body(HttpRequestBody::empty())
                .map_err(io::Error::other)?;
            AwsAuthorizer::new(&credential, "s3", &self.region)
                .try_authorize(&mut request, None)
                .map_err(io::Error::other)?;
            let response = self
                .client
                .execute(request)
                .await
                .map_err(io::Error::other)?;
            let status = response.status();
            let body = response
                .into_body()
                .bytes()
                .await
                .map_err(io::Error::other)?;
            if status == http::StatusCode::NOT_IMPLEMENTED {
                return Ok(None);
            }
            if !status.is_success() {
                return Err(io::Error::other(format!(
                    "listing multipart uploads: {status}: {}",
                    String::from_utf8_lossy(&body)
                        .chars()
                        .take(300)
                        .collect::<String>()
                )));
            }
            let page: ListResult = quick_xml::de::from_reader(body.as_ref())
                .map_err(|e| io::Error::other(format!("listing multipart uploads: {e}")))?;
            for entry in page.upload {
                found.push(OpenUpload {
                    initiated: initiated(&entry.initiated)?,
                    key: entry.key,
                    upload_id: entry.upload_id,
                });
            }
            match (
                page.is_truncated,
                page.next_key_marker,
                page.next_upload_id_marker,
            ) {
                (true, Some(key), Some(upload)) => markers = Some((key, upload)),
                _ => return Ok(Some(found)),
            }
        }
    }
}

/// The open uploads begun before `cutoff` that are not among the `recorded` (key, upload
/// id) pairs: no upload of ours owns them.
pub fn unowned(
    open: Vec<OpenUpload>,
    recorded: &std::collections::HashSet<(String, String)>,
    cutoff: SystemTime,
) -> Vec<OpenUpload> {
    open.into_iter()
        .filter(|u| u.initiated <= cutoff)
        .filter(|u| !recorded.contains(&(u.key.clone(), u.upload_id.clone())))
        .collect()
}

/// A query value, percent-encoded as SigV4 wants it (RFC 3986's unreserved kept).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `2026-12-02T10:30:00.000Z` as a time.
fn initiated(text: &str) -> io::Result<SystemTime> {
    let at = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|e| io::Error::other(format!("an upload's start {text:?}: {e}")))?;
    let seconds = u64::try_from(at.unix_timestamp()).unwrap_or(0);
    Ok(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_is_unowned_once_old_enough_and_not_recorded() {
        let now = SystemTime::now();
        let open = |key: &str, id: &str, age_secs: u64| OpenUpload {
            key: key.into(),
            upload_id: id.into(),
            initiated: now - Duration::from_secs(age_secs),
        };
        let recorded =
            std::collections::HashSet::from([("p/staging/live".to_owned(), "1".to_owned())]);
        let found = unowned(
            vec![
                open("p/staging/live", "1", 7200),
                open("p/staging/live", "2", 7200),
                open("p/staging/young", "3", 60),
                open("p/staging/old", "4", 7200),
            ],
            &recorded,
            now - Duration::from_secs(3600),
        );
        let ids: Vec<&str> = found.iter().map(|u| u.upload_id.as_str()).collect();
        // The same key under another upload id is not the recorded upload.
        assert_eq!(ids, ["2", "4"]);
    }

    #[test]
    fn a_listing_page_is_read() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>evidence</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>
  <NextKeyMarker>p/staging/b</NextKeyMarker><NextUploadIdMarker>2</NextUploadIdMarker>
  <Prefix>p/staging/</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>true</IsTruncated>
  <Upload><Key>p/staging/a</Key><UploadId>1</UploadId><Initiated>2026-12-02T10:30:00.000Z</Initiated></Upload>
  <Upload><Key>p/staging/b</Key><UploadId>2</UploadId><Initiated>2026-12-02T10:31:00Z</Initiated></Upload>
</ListMultipartUploadsResult>"#;
        let page: ListResult = quick_xml::de::from_str(xml).unwrap();
        assert!(page.is_truncated);
        assert_eq!(page.upload.len(), 2);
        assert_eq!(page.upload[1].key, "p/staging/b");
        assert_eq!(page.next_upload_id_marker.as_deref(), Some("2"));
        let empty: ListResult =
            quick_xml::de::from_str("<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>")
                .unwrap();
        assert!(empty.upload.is_empty());
        assert!(initiated("2026-12-02T10:30:00.000Z").is_ok());
        assert_eq!(encode("p/staging/ä b"), "p%2Fstaging%2F%C3%A4%20b");
    }
}
