DROP TABLE outbox;
DROP TABLE notifications;
DROP TABLE submission_events;
DROP TABLE evidence_files;
DROP TABLE submissions;
