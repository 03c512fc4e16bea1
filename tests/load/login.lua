-- wrk script: every request signs in (POST /api/v1/auth/login) with the account in
-- LOGIN_EMAIL / LOGIN_PASSWORD.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"email":"%s","password":"%s"}', os.getenv("LOGIN_EMAIL"), os.getenv("LOGIN_PASSWORD"))
