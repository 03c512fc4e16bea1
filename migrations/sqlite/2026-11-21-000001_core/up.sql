-- Provinces group schools; schools are the tenants; users belong to a province or a school.
CREATE TABLE provinces (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_zh TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE schools (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    province_id BIGINT NOT NULL REFERENCES provinces (id),
    name TEXT NOT NULL,
    name_zh TEXT,
    city TEXT NOT NULL,
    kind TEXT NOT NULL,
    founded_year INTEGER,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX schools_province_idx ON schools (province_id, name);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    province_id BIGINT REFERENCES provinces (id),
    school_id BIGINT REFERENCES schools (id),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX users_school_idx ON users (school_id);
CREATE INDEX users_province_idx ON users (province_id);
