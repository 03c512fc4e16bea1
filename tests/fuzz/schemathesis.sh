#!/usr/bin/env bash
# The API as a contract, checked from outside: the OpenAPI document of a server loaded with
# the demonstration data must pass openapi-spec-validator, and Schemathesis, generating
# requests from it signed in as an admin and as a quality officer, must find nothing with
# every check (tests/fuzz/schemathesis.toml says the one allowance and why): no 5xx, no
# answer the document does not describe, no request the document allows refused for a rule
# it could have said, none it forbids accepted. Afterwards the server's log must hold no
# panic and no error of accredit's own.
#
#   tests/fuzz/schemathesis.sh [BIN]        (BIN: target/debug/accredit by default)
#
# Settings: FUZZ_SECONDS (90 per account), FUZZ_VENV (a virtual environment to create or
# reuse; /tmp/accredit-fuzz-venv), SCHEMATHESIS_VERSION (pinned below).
set -euo pipefail

BIN=${1:-target/debug/accredit}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
FUZZ_SECONDS=${FUZZ_SECONDS:-90}
FUZZ_VENV=${FUZZ_VENV:-/tmp/accredit-fuzz-venv}
SCHEMATHESIS_VERSION=${SCHEMATHESIS_VERSION:-4.32.5}
VALIDATOR_VERSION=${VALIDATOR_VERSION:-0.9.0}
HERE=$(cd "$(dirname "$0")" && pwd)
PASSWORD=accredit-demo-2026

if ! "$FUZZ_VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION" || ! [ -x "$FUZZ_VENV/bin/openapi-spec-validator" ]; then
    echo "fuzz: installing schemathesis $SCHEMATHESIS_VERSION in $FUZZ_VENV" >&2
    python3 -m venv "$FUZZ_VENV"
    "$FUZZ_VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION" "openapi-spec-validator==$VALIDATOR_VERSION"
fi

WORK=$(mktemp -d /tmp/accredit-fuzz.XXXXXX)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

export DATABASE_URL=$WORK/accredit.sqlite3 ACCREDIT_DATA_DIR=$WORK/data
"$BIN" demo >/dev/null
ACCREDIT_BIND=127.0.0.1:0 RUST_LOG=info "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
BASE=
for _ in $(seq 1 300); do
    BASE=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$WORK/server.log" | head -1)
    [ -n "$BASE" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$BASE" ] || { echo "fuzz: the server did not start" >&2; exit 1; }

token() {
    curl -sf -H 'Content-Type: application/json' -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" \
        "$BASE/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

status=0
curl -sf "$BASE/api/v1/openapi.json" >"$WORK/openapi.json"
"$FUZZ_VENV/bin/openapi-spec-validator" "$WORK/openapi.json" || status=1
# The officer first: the admin's run may deactivate or re-role any other account (the
# officer's among them), while nothing the officer may do touches the admin.
for account in officer@fz2.demo.accredit.cn admin@demo.accredit.cn; do
    bearer=$(token "$account") || { echo "fuzz: $account cannot sign in" >&2; status=1; continue; }
    echo "fuzz: $FUZZ_SECONDS s as $account against $BASE" >&2
    # Signing out or changing the password would end the run's own session; everything
    # else is fair game.
    # From the work directory: Schemathesis keeps a cache where it runs, never in the checkout.
    (cd "$WORK" && "$FUZZ_VENV/bin/schemathesis" --config-file "$HERE/schemathesis.toml" run "$BASE/api/v1/openapi.json" \
        -H "Authorization: Bearer $bearer" \
        --phases coverage,fuzzing \
        --exclude-path /api/v1/auth/logout \
        --exclude-path /api/v1/me/password \
        --max-time "$FUZZ_SECONDS" \
        --request-timeout 10 \
        --warnings off \
        --no-color >"$WORK/schemathesis.$account.log" 2>&1) || status=1
    # What failed, each with the curl command that reproduces it; then the summary.
    sed -n '/= FAILURES =/,/= SUMMARY =/p' "$WORK/schemathesis.$account.log" | head -n 300
    tail -n 12 "$WORK/schemathesis.$account.log"
done

# A client's malformed request line is logged by actix-http; anything of ours is a defect.
if grep -E 'panicked|ERROR accredit' "$WORK/server.log"; then
    echo "fuzz: the server logged errors (above)" >&2
    status=1
fi
if [ "$status" -ne 0 ]; then
    echo "fuzz: FAILED" >&2
else
    echo "fuzz: the document is valid; Schemathesis found nothing; no server error"
fi
exit "$status"
