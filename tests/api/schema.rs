//! Both migration sets build the same tables, columns and indexes, and applying them
//! twice is harmless.

use std::collections::BTreeSet;

use accredit::db::{Backend, DatabaseUrl, Db, DbConn};
use diesel::sql_types::{BigInt, Bool, Text};
use diesel::{QueryableByName, RunQueryDsl};

use crate::helpers::TestDatabase;

#[derive(QueryableByName, Debug)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
}

#[derive(QueryableByName, Debug)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName, Debug)]
struct SqliteColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = BigInt)]
    not_null: i64,
    #[diesel(sql_type = BigInt)]
    pk: i64,
}

type Shape = (BTreeSet<(String, String, bool)>, BTreeSet<String>);

fn shape(conn: &mut DbConn) -> Shape {
    match conn {
        DbConn::Sqlite(c) => {
            let columns: Vec<SqliteColumnRow> = diesel::sql_query(
                "SELECT m.name AS table_name, p.name AS column_name, p.\"notnull\" AS not_null, p.pk AS pk
                 FROM sqlite_master m JOIN pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
                   AND m.name <> '__diesel_schema_migrations'",
            )
            .load(c)
            .unwrap();
            let indexes: Vec<IndexRow> = diesel::sql_query(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
            )
            .load(c)
            .unwrap();
            (
                columns
                    .into_iter()
                    .map(|r| (r.table_name, r.column_name, r.not_null != 0 || r.pk != 0))
                    .collect(),
                indexes.into_iter().map(|r| r.name).collect(),
            )
        }
        DbConn::Pg(c) => {
            let columns: Vec<ColumnRow> = diesel::sql_query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name,
                        (is_nullable = 'NO') AS not_null
                 FROM information_schema.columns
                 WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
            )
            .load(c)
            .unwrap();
            let indexes: Vec<IndexRow> = diesel::sql_query(
                "SELECT indexname::text AS name FROM pg_indexes
                 WHERE schemaname = 'public' AND indexname NOT LIKE '%\\_pkey'
                   AND indexname NOT LIKE '%\\_key'",
            )
            .load(c)
            .unwrap();
            (
                columns
                    .into_iter()
                    .map(|r| (r.table_name, r.column_name, r.not_null))
                    .collect(),
                indexes.into_iter().map(|r| r.name).collect(),
            )
        }
    }
}

fn migrated_shape(database: &TestDatabase) -> Shape {
    let url = DatabaseUrl::parse(&database.url(), std::path::Path::new("/")).unwrap();
    let db = Db::connect(&url, 1).unwrap();
    let applied = db.migrate().unwrap();
    assert!(!applied.is_empty());
    assert!(
        db.migrate().unwrap().is_empty(),
        "a second migrate applies nothing"
    );
    let mut conn = db.get().unwrap();
    shape(&mut conn)
}

#[test]
fn both_backends_have_the_same_tables_columns_and_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = TestDatabase::create(Backend::Sqlite, dir.path()).unwrap();
    let Some(postgres) = TestDatabase::create(Backend::Postgres, dir.path()) else {
        return;
    };
    let (sqlite_columns, sqlite_indexes) = migrated_shape(&sqlite);
    let (pg_columns, pg_indexes) = migrated_shape(&postgres);
    assert!(
        sqlite_columns
            .iter()
            .any(|(t, c, _)| t == "users" && c == "email")
    );
    let only_sqlite: Vec<_> = sqlite_columns.difference(&pg_columns).collect();
    let only_pg: Vec<_> = pg_columns.difference(&sqlite_columns).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "columns differ: only in SQLite {only_sqlite:?}, only in PostgreSQL {only_pg:?}"
    );
    assert_eq!(sqlite_indexes, pg_indexes, "indexes differ");
}

#[test]
fn migration_folders_have_the_same_versions() {
    let names = |dir: &str| -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    let root = env!("CARGO_MANIFEST_DIR");
    let sqlite = names(&format!("{root}/migrations/sqlite"));
    let postgres = names(&format!("{root}/migrations/postgres"));
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}
