DROP TABLE login_attempts;
DROP TABLE sessions;
