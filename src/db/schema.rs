// Written by hand to fit both backends: ids are BigInt on both (SQLite's INTEGER PRIMARY KEY
// is 64-bit), timestamps are UTC `Timestamp`. Keep in step with migrations/{sqlite,postgres}.

diesel::table! {
    provinces (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        name_zh -> Nullable<Text>,
        created_at -> Timestamp,
        data_version -> BigInt,
        round_version -> BigInt,
        deadline_version -> BigInt,
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
        status -> Text,
        successor_id -> Nullable<BigInt>,
        effective_on -> Nullable<Date>,
        status_reason -> Nullable<Text>,
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
        language -> Text,
        mail_workflow -> Bool,
        mail_reminders -> Bool,
        mail_digest -> Bool,
        valid_until -> Nullable<Date>,
        external_id -> Nullable<Text>,
        password_change_required -> Bool,
    }
}

diesel::table! {
    standards (id) {
        id -> BigInt,
        code -> Text,
        version -> Integer,
        name -> Text,
        name_zh -> Nullable<Text>,
        province_id -> Nullable<BigInt>,
        title_type_id -> Nullable<BigInt>,
        total_half_points -> Integer,
        pass_half_points -> Integer,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    standard_criteria (standard_id, ref_) {
        standard_id -> BigInt,
        position -> Integer,
        #[sql_name = "ref"]
        ref_ -> Text,
        parent_ref -> Nullable<Text>,
        name -> Text,
        name_zh -> Nullable<Text>,
        max_half_points -> Nullable<Integer>,
        veto -> Bool,
        guidance -> Nullable<Text>,
        evidence_expected -> Nullable<Text>,
    }
}

diesel::table! {
    evaluations (submission_id) {
        submission_id -> BigInt,
        standard_id -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    evaluation_items (submission_id, ref_) {
        submission_id -> BigInt,
        #[sql_name = "ref"]
        ref_ -> Text,
        self_half_points -> Nullable<Integer>,
        self_met -> Nullable<Bool>,
        self_note -> Nullable<Text>,
        updated_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notices (id) {
        id -> BigInt,
        province_id -> BigInt,
        title -> Text,
        body -> Nullable<Text>,
        opens_on -> Date,
        closes_on -> Date,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notice_entries (notice_id, submission_id) {
        notice_id -> BigInt,
        submission_id -> BigInt,
        position -> Integer,
        school_id -> BigInt,
        school_name -> Text,
        title_type_code -> Nullable<Text>,
        consensus_half_points -> Nullable<Integer>,
        outcome -> Nullable<Text>,
    }
}

diesel::table! {
    objections (id) {
        id -> BigInt,
        notice_id -> BigInt,
        submission_id -> BigInt,
        name -> Text,
        contact -> Text,
        text -> Text,
        client_addr -> Text,
        received_at -> Timestamp,
        upheld -> Nullable<Bool>,
        resolution -> Nullable<Text>,
        resolved_by -> Nullable<BigInt>,
        resolved_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    panel_members (submission_id, user_id) {
        submission_id -> BigInt,
        user_id -> BigInt,
        lead -> Bool,
        position -> Integer,
        sealed_at -> Nullable<Timestamp>,
        added_at -> Timestamp,
    }
}

diesel::table! {
    expert_scores (submission_id, user_id, ref_) {
        submission_id -> BigInt,
        user_id -> BigInt,
        #[sql_name = "ref"]
        ref_ -> Text,
        half_points -> Nullable<Integer>,
        met -> Nullable<Bool>,
        comment -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    consensus_scores (submission_id, ref_) {
        submission_id -> BigInt,
        #[sql_name = "ref"]
        ref_ -> Text,
        half_points -> Nullable<Integer>,
        met -> Nullable<Bool>,
        note -> Nullable<Text>,
        set_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    declared_conflicts (id) {
        id -> BigInt,
        user_id -> BigInt,
        school_id -> BigInt,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    evaluation_evidence (submission_id, ref_, evidence_id) {
        submission_id -> BigInt,
        #[sql_name = "ref"]
        ref_ -> Text,
        evidence_id -> BigInt,
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
        method -> Text,
        page -> Bool,
        last_seen_at -> Nullable<Timestamp>,
        platform_ticket -> Nullable<Text>,
    }
}

diesel::table! {
    sign_in_flows (state) {
        state -> Text,
        method -> Text,
        nonce -> Text,
        pkce_verifier -> Text,
        next -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    access_log (id) {
        id -> BigInt,
        at -> Timestamp,
        event -> Text,
        method -> Text,
        succeeded -> Bool,
        reason -> Nullable<Text>,
        user_id -> Nullable<BigInt>,
        email -> Text,
        province_id -> Nullable<BigInt>,
        client_addr -> Text,
        user_agent -> Text,
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

diesel::table! {
    title_types (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        name_zh -> Nullable<Text>,
        level -> Text,
        awarding_body -> Text,
        reevaluation_interval_months -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    school_titles (id) {
        id -> BigInt,
        school_id -> BigInt,
        title_type_id -> BigInt,
        awarded_on -> Date,
        last_evaluated_on -> Nullable<Date>,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        settlement -> Nullable<Text>,
        transferred_from -> Nullable<BigInt>,
    }
}

diesel::table! {
    certificates (id) {
        id -> BigInt,
        school_id -> BigInt,
        standard -> Text,
        certification_body -> Text,
        certificate_number -> Text,
        scope -> Nullable<Text>,
        issued_on -> Date,
        expires_on -> Date,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audits (id) {
        id -> BigInt,
        school_id -> BigInt,
        kind -> Text,
        standard -> Text,
        started_on -> Date,
        ended_on -> Nullable<Date>,
        lead_auditor -> Nullable<Text>,
        auditing_body -> Nullable<Text>,
        scope -> Nullable<Text>,
        summary -> Nullable<Text>,
        province_verified_on -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submission_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    findings (id) {
        id -> BigInt,
        audit_id -> BigInt,
        school_id -> BigInt,
        clause -> Text,
        grade -> Text,
        description -> Text,
        due_on -> Nullable<Date>,
        status -> Text,
        reopen_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    corrective_actions (finding_id) {
        finding_id -> BigInt,
        root_cause -> Nullable<Text>,
        action -> Nullable<Text>,
        owner -> Nullable<Text>,
        due_on -> Nullable<Date>,
        done_on -> Nullable<Date>,
        verified_by -> Nullable<Text>,
        verified_on -> Nullable<Date>,
        effective -> Nullable<Bool>,
        verification_note -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    indicator_defs (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        name_zh -> Text,
        unit -> Text,
        kind -> Text,
        min_value -> Nullable<Double>,
        max_value -> Nullable<Double>,
        help -> Nullable<Text>,
        help_zh -> Nullable<Text>,
        numerator -> Nullable<Text>,
        denominator -> Nullable<Text>,
        scale -> Nullable<Double>,
        higher_is_better -> Nullable<Bool>,
        position -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    status_figures (school_id, year, indicator_id) {
        school_id -> BigInt,
        year -> Integer,
        indicator_id -> BigInt,
        value -> Double,
    }
}

diesel::table! {
    school_years (school_id, year) {
        school_id -> BigInt,
        year -> Integer,
        explanations -> Text,
        highlights -> Nullable<Text>,
        problems -> Nullable<Text>,
        locked_at -> Nullable<Timestamp>,
        accepted_submission_id -> Nullable<BigInt>,
        reopen_reason -> Nullable<Text>,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    collection_rounds (id) {
        id -> BigInt,
        province_id -> BigInt,
        year -> Integer,
        due_on -> Date,
        change_threshold_pct -> Integer,
        closed_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    history (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        school_id -> Nullable<BigInt>,
        action -> Text,
        entity -> Text,
        entity_id -> BigInt,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    history_head (id) {
        id -> Integer,
        last_id -> BigInt,
        last_hash -> Text,
    }
}

diesel::table! {
    submissions (id) {
        id -> BigInt,
        school_id -> BigInt,
        kind -> Text,
        title -> Text,
        summary -> Nullable<Text>,
        title_type_id -> Nullable<BigInt>,
        school_title_id -> Nullable<BigInt>,
        audit_id -> Nullable<BigInt>,
        finding_id -> Nullable<BigInt>,
        year -> Nullable<Integer>,
        status -> Text,
        round -> Integer,
        version -> BigInt,
        recommended_by -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        submitted_at -> Nullable<Timestamp>,
        province_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    submission_contents (submission_id, round) {
        submission_id -> BigInt,
        round -> Integer,
        content -> Text,
    }
}

diesel::table! {
    evidence_files (id) {
        id -> BigInt,
        submission_id -> BigInt,
        round -> Integer,
        filename -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        description -> Nullable<Text>,
        uploaded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    submission_events (id) {
        id -> BigInt,
        submission_id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        round -> Integer,
        comment -> Nullable<Text>,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        submission_id -> Nullable<BigInt>,
        event -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
        school_id -> Nullable<BigInt>,
        subject -> Nullable<Text>,
        due_on -> Nullable<Date>,
    }
}

diesel::table! {
    reminders_sent (reminder_key, user_id) {
        reminder_key -> Text,
        user_id -> BigInt,
        sent_on -> Date,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        channel -> Text,
        user_id -> Nullable<BigInt>,
        payload -> Text,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        kind -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        leased_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        failed_at -> Nullable<Timestamp>,
        webhook_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> BigInt,
        province_id -> BigInt,
        kind -> Text,
        url -> Text,
        secret -> Nullable<Text>,
        events -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_posts (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        posted_at -> Timestamp,
    }
}

diesel::table! {
    evidence_uploads (object_key) {
        object_key -> Text,
        upload_id -> Text,
        started_at -> Timestamp,
    }
}

diesel::table! {
    job_leases (name) {
        name -> Text,
        holder -> Nullable<Text>,
        leased_until -> Nullable<Timestamp>,
        last_done_on -> Nullable<Date>,
    }
}

diesel::table! {
    calendar_feeds (user_id) {
        user_id -> BigInt,
        token -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    consulting_grants (id) {
        id -> BigInt,
        granting_school_id -> BigInt,
        consultant_school_id -> BigInt,
        until -> Date,
        include_evidence -> Bool,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    programmes (id) {
        id -> BigInt,
        province_id -> BigInt,
        name -> Text,
        title_type_id -> Nullable<BigInt>,
        indicator -> Nullable<Text>,
        threshold -> Nullable<BigInt>,
        target_count -> Integer,
        target_date -> Date,
        created_at -> Timestamp,
        closed_on -> Nullable<Date>,
        version -> BigInt,
    }
}

diesel::table! {
    school_metrics (school_id) {
        school_id -> BigInt,
        open_major_nc -> BigInt,
        open_minor_nc -> BigInt,
        open_observations -> BigInt,
        open_ofi -> BigInt,
        actions_closed_on_time -> BigInt,
        indicator_year -> Nullable<Integer>,
        students -> Nullable<BigInt>,
        teachers -> Nullable<BigInt>,
        campus_area_m2 -> Nullable<BigInt>,
        equipment_value_cny -> Nullable<BigInt>,
    }
}

diesel::joinable!(school_titles -> schools (school_id));
diesel::joinable!(school_titles -> title_types (title_type_id));
diesel::joinable!(certificates -> schools (school_id));
diesel::joinable!(standard_criteria -> standards (standard_id));
diesel::joinable!(standards -> title_types (title_type_id));
diesel::joinable!(evaluations -> standards (standard_id));
diesel::joinable!(audits -> schools (school_id));
diesel::joinable!(findings -> audits (audit_id));
diesel::joinable!(corrective_actions -> findings (finding_id));
diesel::joinable!(status_figures -> schools (school_id));
diesel::joinable!(status_figures -> indicator_defs (indicator_id));
diesel::joinable!(school_years -> schools (school_id));
diesel::joinable!(collection_rounds -> provinces (province_id));
diesel::joinable!(submission_contents -> submissions (submission_id));
diesel::joinable!(calendar_feeds -> users (user_id));
diesel::joinable!(submissions -> schools (school_id));
diesel::joinable!(evidence_files -> submissions (submission_id));
diesel::joinable!(submission_events -> submissions (submission_id));

diesel::table! {
    deadline_items (id) {
        id -> BigInt,
        school_id -> BigInt,
        province_id -> BigInt,
        school_name -> Text,
        school_name_zh -> Nullable<Text>,
        kind -> Text,
        subject -> Text,
        due_on -> Date,
        uid -> Text,
    }
}

diesel::table! {
    derived_state (name) {
        name -> Text,
        version -> Integer,
    }
}

diesel::table! {
    submission_tallies (province_id, status) {
        province_id -> BigInt,
        status -> Text,
        n -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    notices,
    notice_entries,
    objections,
    panel_members,
    expert_scores,
    consensus_scores,
    declared_conflicts,
    evaluation_items,
    evaluation_evidence,
    standards,
    standard_criteria,
    evaluations,
    reminders_sent,
    job_leases,
    evidence_uploads,
    submission_tallies,
    deadline_items,
    derived_state,
    provinces,
    schools,
    users,
    sessions,
    login_attempts,
    access_log,
    sign_in_flows,
    webhooks,
    webhook_posts,
    title_types,
    school_titles,
    certificates,
    audits,
    findings,
    corrective_actions,
    indicator_defs,
    status_figures,
    school_years,
    collection_rounds,
    submission_contents,
    history,
    history_head,
    submissions,
    evidence_files,
    submission_events,
    notifications,
    outbox,
    calendar_feeds,
    consulting_grants,
    programmes,
    school_metrics,
);
diesel::joinable!(outbox -> users (user_id));
diesel::joinable!(access_log -> users (user_id));
diesel::joinable!(outbox -> webhooks (webhook_id));
