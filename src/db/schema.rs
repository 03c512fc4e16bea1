// Written by hand to fit both backends: ids are BigInt on both (SQLite's INTEGER PRIMARY KEY
// is 64-bit), timestamps are UTC `Timestamp`. Keep in step with migrations/{sqlite,postgres}.

diesel::table! {
    provinces (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        name_zh -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    schools (id) {
        id -> BigInt,
        province_id -> BigInt,
        name -> Text,
        name_zh -> Nullable<Text>,
        city -> Text,
        kind -> Text,
        founded_year -> Nullable<Integer>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        role -> Text,
        province_id -> Nullable<BigInt>,
        school_id -> Nullable<BigInt>,
        password_hash -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(schools -> provinces (province_id));
diesel::joinable!(users -> schools (school_id));
diesel::joinable!(users -> provinces (province_id));

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> BigInt,
        email -> Text,
        client_addr -> Text,
        succeeded -> Bool,
        attempted_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(provinces, schools, users, sessions, login_attempts);
