//! A full disk under the data directory: writes answer 507 `insufficient_storage` and keep
//! nothing, `/healthz` says `storage: full` (503), the admin's home shows it, and all comes
//! back once there is room. The data directory is a small tmpfs mounted for the test (as
//! root; the suite is skipped, or fails where every suite is required, without it).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Once;

use serde_json::json;

use crate::helpers::{TestApp, skip_suite, spawn_sqlite_in};
use crate::web_pages::Visitor;
use crate::world::{Actor, PASSWORD, World};

static SKIPPED: Once = Once::new();

/// A tmpfs of a few MiB, unmounted when dropped.
struct Tmpfs {
    path: PathBuf,
    _parent: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(mib: u64) -> Option<Tmpfs> {
        let parent = tempfile::tempdir().unwrap();
        let path = parent.path().join("disk");
        std::fs::create_dir(&path).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(Tmpfs {
            path,
            _parent: parent,
        })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.path)
            .status();
    }
}

/// Fills the disk under `dir` with one file, until the disk refuses.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).unwrap();
    let block = vec![0u8; 64 * 1024];
    loop {
        if let Err(e) = file.write_all(&block) {
            assert_eq!(e.raw_os_error(), Some(28), "ENOSPC, not {e}");
            break;
        }
    }
    // What did fit, kept: the disk stays full.
    let _ = file.sync_all();
    path
}

/// Every file under `dir` (the evidence store and its staging), by path.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn a_full_disk_answers_507_keeps_nothing_and_says_so() {
    let Some(disk) = Tmpfs::mount(40) else {
        skip_suite(
            &SKIPPED,
            "full-disk suite skipped: mounting a tmpfs needs root (mount -t tmpfs)",
        );
        return;
    };
    let dir = tempfile::tempdir_in(&disk.path).unwrap();
    let data = dir.path().to_owned();
    // The largest upload is 1 MiB here: under that much free space the disk is full.
    let app = spawn_sqlite_in(dir, &[("ACCREDIT_MAX_UPLOAD_BYTES", "1048576")]).await;
    the_disk_fills_and_empties(&app, &data).await;
    drop(app);
    drop(disk);
}

async fn the_disk_fills_and_empties(app: &TestApp, data: &Path) {
    let world = World::build(app).await;
    let officer = world.token(Actor::QualityOfficer).unwrap().to_owned();
    let mut admin = Visitor::new(app);
    admin.sign_in("admin@accredit.example", PASSWORD).await;

    // A small disk: low on room, but serving.
    let health = app.health().await;
    assert_eq!(health.status, 200, "{}", health.text);
    assert_eq!(health.json()["storage"], "low", "{}", health.text);
    let home = admin.get("/home").await;
    assert!(home.text.contains("id=\"home-storage\""), "{}", home.text);
    assert!(home.text.contains("storage-low"), "{}", home.text);

    // Every later write of the database must grow its log.
    {
        use diesel::RunQueryDsl;
        let mut conn = app.db().get().unwrap();
        diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut *conn)
            .unwrap();
    }
    let audits = format!("/api/v1/schools/{}/audits", world.school);
    let count = async || {
        let list = app.send("GET", &audits, Some(&officer), None).await;
        assert_eq!(list.status, 200, "{}", list.text);
        list.header("x-total-count").unwrap().to_owned()
    };
    let before = count().await;
    let evidence_before = files_under(&data.join("evidence"));
    let filler = fill(data);

    let health = app.health().await;
    assert_eq!(health.status, 503, "{}", health.text);
    assert_eq!(
        health.json(),
        json!({"status": "unavailable", "database": "ok", "storage": "full"})
    );

    // A record: 507 in the reader's language, and no row.
    let audit = json!({"kind": "internal", "standard": "ISO 9001:2015", "started_on": "2026-03-02", "lead_auditor": "王芳"});
    let refused = app
        .client
        .post(app.url(&audits))
        .bearer_auth(&officer)
        .header("Accept-Language", "zh-CN")
        .json(&audit)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 507);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "insufficient_storage", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("存储空间已满"),
        "{body}"
    );
    assert_eq!(count().await, before, "no row was kept");

    // An evidence file: 507, and no file (staged or kept) left behind.
    let upload = app
        .upload(
            world.drafts[0],
            &officer,
            "minutes.txt",
            &vec![b'a'; 512 * 1024],
        )
        .await;
    assert_eq!(
        (upload.status, upload.error_code().as_str()),
        (507, "insufficient_storage"),
        "{}",
        upload.text
    );
    assert_eq!(files_under(&data.join("evidence")), evidence_before);

    // The admin's home says so.
    let home = admin.get("/home").await;
    assert!(home.text.contains("storage-full"), "{}", home.text);

    // Room again: serving, and the same write is taken.
    std::fs::remove_file(filler).unwrap();
    let health = app.health().await;
    assert_eq!(health.status, 200, "{}", health.text);
    assert_eq!(health.json()["storage"], "low");
    let taken = app.send("POST", &audits, Some(&officer), Some(audit)).await;
    assert_eq!(taken.status, 201, "{}", taken.text);
}
