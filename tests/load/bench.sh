#!/usr/bin/env bash
# The load benchmark of docs/performance.md. It starts a release `accredit serve` on a
# database that `accredit synth` has filled, signs in as a quality officer, a reviewer and
# a province admin of the synthetic data, and drives each endpoint with wrk at 64
# connections; /healthz on the same server is the ceiling. Then it uploads 1 GiB of
# evidence and compares it with `dd conv=fsync`, and reports resident memory idle, under
# load and during the upload; when `s3s-fs` is installed it uploads the same file again
# into a bucket of an s3s-fs started here (ACCREDIT_EVIDENCE_URL).
#
#   cargo build --release
#   DATABASE_URL=/tmp/bench/accredit.sqlite3 target/release/accredit synth
#   DATABASE_URL=/tmp/bench/accredit.sqlite3 tests/load/bench.sh
#
# Needs wrk, curl and python3 (Debian: apt-get install wrk curl python3).
# Settings: DURATION (10s), CONNECTIONS (64), THREADS (2), PORT (8089), BIN
# (target/release/accredit), UPLOAD_MIB (1024; 0 skips the upload), ONLY (a regular
# expression: run only the endpoints whose names match), REMIND_ON (2026-11-30, a Monday: the
# day `accredit remind` is timed for; none skips it).
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must name a database filled by accredit synth}"
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-8089}
BIN=${BIN:-target/release/accredit}
UPLOAD_MIB=${UPLOAD_MIB:-1024}
ONLY=${ONLY:-.}
PASSWORD=accredit-synth-2026
BASE=http://127.0.0.1:$PORT
HERE=$(cd "$(dirname "$0")" && pwd)

for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is needed" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/accredit-bench.XXXXXX)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
S3_PID=
trap 'cleanup; if [ -n "$S3_PID" ]; then kill "$S3_PID" 2>/dev/null || true; fi' EXIT

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"; }
mib() { python3 -c "print(f'{$1/1024:.1f}')"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# Starts the server and waits for the first 200 of /healthz; sets startup_ms (from exec to
# that answer, on the full data set).
start_server() {
    local start
    start=$(date +%s%N)
    ACCREDIT_BIND=127.0.0.1:$PORT ACCREDIT_DATA_DIR=$WORK/data ACCREDIT_MAX_UPLOAD_BYTES=$(( (UPLOAD_MIB + 16) * 1048576 )) \
        RUST_LOG=${RUST_LOG:-warn} "$BIN" serve >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    until curl -sf -o /dev/null "$BASE/healthz"; do
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
        sleep 0.005
    done
    startup_ms=$(( ($(date +%s%N) - start) / 1000000 ))
}
stop_server() {
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

# A copy as `accredit synth` left it, for the measure after a rebuild below (SQLite).
if [ -f "$DATABASE_URL" ]; then cp "$DATABASE_URL" "$WORK/rebuild.sqlite3"; fi
start_server
sleep 1
idle_rss=$(rss_kib)

login() {
    curl -sf -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/auth/login" | json 'd["token"]'
}
api() { curl -sf -H "Authorization: Bearer $1" "$BASE$2"; }

officer=$(login officer-00001@synth.accredit.cn)
school=$(api "$officer" /api/v1/me | json 'd["school_id"]')
province=$(api "$officer" "/api/v1/schools/$school" | json 'd["province_id"]')
code=$(api "$officer" "/api/v1/provinces/$province" | json 'd["code"].lower()')
reviewer=$(login "reviewer-$code-1@synth.accredit.cn")
bureau=$(login "bureau-$code@synth.accredit.cn")
submission=$(api "$reviewer" "/api/v1/submissions?status=submitted" | json 'd[0]["id"]')
# The province's open collection round (this year's) and the year before, accepted.
round=$(api "$bureau" "/api/v1/provinces/$province/rounds" | json 'next(r["id"] for r in d if r["status"] == "open")')
year=$(api "$bureau" "/api/v1/rounds/$round" | json 'd["year"]')
last_year=$((year - 1))
# The address of a list's second page, from its Link header (empty when there is none: a
# build from before paging, benchmarked for comparison, skips those endpoints).
next_page() {
    curl -sf -D - -o /dev/null -H "Authorization: Bearer $1" "$BASE$2" |
        python3 -c "import re,sys; m=re.search(r'^link: <([^>]*)>', sys.stdin.read(), re.I | re.M); print(m.group(1) if m else '')"
}
deadlines_2=$(next_page "$bureau" /api/v1/deadlines)
queue_2=$(next_page "$reviewer" "/api/v1/submissions?status=submitted")
# A submission of the province with an evaluation (synth gives a share of the open title
# applications one), and the standard it is scored by; empty when there is none.
evaluated=$(api "$reviewer" "/api/v1/submissions?status=submitted&limit=1000" | python3 -c "
import json, sys, urllib.request
for s in json.load(sys.stdin):
    request = urllib.request.Request('$BASE/api/v1/submissions/%d/evaluation' % s['id'], headers={'Authorization': 'Bearer $reviewer'})
    try:
        urllib.request.urlopen(request)
    except Exception:
        continue
    print(s['id'])
    break
")
standard=$(api "$reviewer" /api/v1/standards | json 'd[0]["id"] if d else ""')
# An expert of the province and an application on whose panel they sit; the province's
# public notice (synth publishes one a province, open today).
expert=$(login "expert-$code-1@synth.accredit.cn" || true)
seat=$( [ -n "$expert" ] && api "$expert" /api/v1/submissions | json 'd[0]["id"] if d else ""' || true)
notice=$(api "$bureau" "/api/v1/provinces/$province/notices" | json 'd[0]["id"] if d else ""' || true)
echo "school $school (province $code), submission $submission, evaluated ${evaluated:-none}, standard ${standard:-none}, expert's seat ${seat:-none}, notice ${notice:-none}, round $round ($year); start-up ${startup_ms} ms, idle RSS $(mib "$idle_rss") MiB" >&2

# name | who | path | method (GET or LOGIN)
ENDPOINTS="healthz|none|/healthz|GET
school_overview_html|officer|/schools/$school|GET
school_overview_json|officer|/api/v1/schools/$school|GET
review_queue_html|reviewer|/queue|GET
review_queue_json|reviewer|/api/v1/submissions?status=submitted|GET
peer_comparison_html|officer|/schools/$school/peers|GET
peer_comparison_json|officer|/api/v1/schools/$school/peer-comparison|GET
home_html|bureau|/home|GET
deadlines_json|bureau|/api/v1/deadlines|GET
deadlines_json_page2|bureau|$deadlines_2|GET
review_queue_json_page2|reviewer|$queue_2|GET
submission_html|reviewer|/submissions/$submission|GET
submission_json|reviewer|/api/v1/submissions/$submission|GET
evaluation_json|reviewer|${evaluated:+/api/v1/submissions/$evaluated/evaluation}|GET
evaluation_html|reviewer|${evaluated:+/submissions/$evaluated}|GET
standard_html|reviewer|${standard:+/standards/$standard}|GET
standard_json|reviewer|${standard:+/api/v1/standards/$standard}|GET
evaluation_expert_json|expert|${seat:+/api/v1/submissions/$seat/evaluation}|GET
notice_html|none|${notice:+/notices/$notice}|GET
notice_json|none|${notice:+/api/v1/notices/$notice}|GET
round_html|bureau|/rounds/$round|GET
round_json|bureau|/api/v1/rounds/$round|GET
province_status_json|bureau|/api/v1/provinces/$province/status-data/$last_year|GET
standards_check_json|bureau|/api/v1/provinces/$province/standards-check?year=$last_year|GET
standards_check_html|bureau|/provinces/$province/standards-check?year=$last_year|GET
status_data_html|officer|/schools/$school/status-data/$year|GET
status_data_json|officer|/api/v1/schools/$school/status-data/$year|GET
annual_report_html|officer|/schools/$school/annual-report/$last_year|GET
login|none|/api/v1/auth/login|LOGIN"

peak_rss=$idle_rss
results=$WORK/results
: >"$results"
while IFS='|' read -r name who path method; do
    [[ $name =~ $ONLY ]] || continue
    [ -n "$path" ] || { echo "bench: $name skipped (no such page here)" >&2; continue; }
    case $who in
        officer) token=$officer ;;
        reviewer) token=$reviewer ;;
        bureau) token=$bureau ;;
        expert) token=$expert ;;
        *) token= ;;
    esac
    case $path in
        /api/*) header="Authorization: Bearer $token" ;;
        *) header="Cookie: accredit_session=$token" ;;
    esac
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "$header" "$BASE$path")
    if [ "$method" = LOGIN ]; then
        status=200
        script=(-s "$HERE/login.lua")
        export LOGIN_EMAIL="reviewer-$code-2@synth.accredit.cn" LOGIN_PASSWORD=$PASSWORD
    else
        script=()
    fi
    if [ "$status" != 200 ]; then
        echo "bench: $name answered $status before the run" >&2
        exit 1
    fi
    # One request alone on the otherwise idle server: the median of 21 in a row.
    alone_ms=0
    if [ "$method" = GET ]; then
        alone_ms=$(for _ in $(seq 21); do
            curl -s -o /dev/null -w '%{time_total}\n' -H "$header" "$BASE$path"
        done | python3 -c "import statistics,sys; print(1000 * statistics.median(float(l) for l in sys.stdin))")
    fi
    ( while sleep 0.2; do rss_kib; done ) >"$WORK/rss.$name" 2>/dev/null &
    sampler=$!
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${script[@]}" -H "$header" "$BASE$path" >"$WORK/wrk.$name"
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    python3 "$HERE/wrk_summary.py" "$name" "$WORK/wrk.$name" "$WORK/rss.$name" "$alone_ms" >>"$results"
done <<<"$ENDPOINTS"
for f in "$WORK"/rss.*; do
    [ -e "$f" ] || continue
    m=$(sort -n "$f" | tail -1)
    [ -n "$m" ] && [ "$m" -gt "$peak_rss" ] && peak_rss=$m
done

python3 - "$results" <<'EOF'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
ceiling = next((r["rps"] for r in rows if r["name"] == "healthz"), None)
print(f"| endpoint | req/s | p50 ms | p99 ms | of /healthz | errors | alone ms |")
print(f"|---|---:|---:|---:|---:|---:|---:|")
for r in rows:
    ratio = f"{100 * r['rps'] / ceiling:.0f} %" if ceiling else "–"
    print(f"| {r['name']} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {ratio} | {r['errors']} | {r['alone_ms']:.2f} |")
EOF

# The daily reminders on the national data: `accredit remind` on a copy of the database
# (it writes), on a Monday (REMIND_ON), so the province digests go out too; then again, when
# there is nothing left to send. SQLite only: a PostgreSQL database is not copied here.
if [ -f "$DATABASE_URL" ] && [ "${REMIND_ON:-2026-11-30}" != none ]; then
    cp "$DATABASE_URL" "$WORK/remind.sqlite3"
    for run in first again; do
        start=$(date +%s%N)
        said=$(DATABASE_URL=$WORK/remind.sqlite3 ACCREDIT_DATA_DIR=$WORK/data ACCREDIT_TODAY=${REMIND_ON:-2026-11-30} "$BIN" remind)
        echo "remind ($run): $(( ($(date +%s%N) - start) / 1000000 )) ms; $said"
    done
    rm -f "$WORK"/remind.sqlite3*
fi

# Memory once the kept state is rebuilt and the day's reminders are put, as the first start
# after `accredit synth` (or after a new DEADLINES_VERSION) does: a server started on data
# whose kept deadlines follow older rules and whose reminders are not done today, measured
# idle once both are done. SQLite on the copy taken before the first start; PostgreSQL in
# place (both are idempotent: reminders already sent today are not sent again).
stop_server
if [ -f "$DATABASE_URL" ]; then
    rebuild_db=$WORK/rebuild.sqlite3
    python3 - "$rebuild_db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE derived_state SET version = version - 1 WHERE name = 'deadline_items'")
c.execute("DELETE FROM job_leases")
c.commit()
EOF
else
    rebuild_db=$DATABASE_URL
    psql -q "$DATABASE_URL" -c "UPDATE derived_state SET version = version - 1 WHERE name = 'deadline_items'; DELETE FROM job_leases;"
fi
DATABASE_URL=$rebuild_db RUST_LOG=info start_server
for _ in $(seq 1 600); do grep -q 'daily reminders' "$WORK/server.log" && break; sleep 0.2; done
grep -q 'rebuilt the kept deadlines' "$WORK/server.log" || { echo "bench: the server did not rebuild" >&2; exit 1; }
sleep 2
rebuild_idle_rss=$(rss_kib)
echo "idle after a rebuild ($(grep -o 'deadlines=[0-9]* ms=[0-9]*' "$WORK/server.log")) and the day's reminders ($(grep -o 'due=[0-9]* sent=[0-9]*' "$WORK/server.log")): RSS $(mib "$rebuild_idle_rss") MiB (target: at most 30 MiB)"
stop_server
rm -f "$WORK"/rebuild.sqlite3*
start_server

if [ "$UPLOAD_MIB" -gt 0 ]; then
    # A fresh server, so that the upload's memory is its own and not what the load left.
    stop_server
    start_server
    sleep 1
    upload_idle_rss=$(rss_kib)
    file=$WORK/evidence.pdf
    { printf '%%PDF-1.7\n'; head -c $(( UPLOAD_MIB * 1048576 - 9 )) /dev/urandom; } >"$file"
    sync
    # Uploads $file as a new draft's evidence; sets upload_s and upload_rss.
    upload_once() {
        local draft sampler
        draft=$(curl -sf -H "Authorization: Bearer $officer" -H 'Content-Type: application/json' \
            -d '{"kind":"annual_quality_report","year":2025,"title":"Benchmark upload"}' \
            "$BASE/api/v1/schools/$school/submissions" | json 'd["submission"]["id"] if "submission" in d else d["id"]')
        ( while sleep 0.05; do rss_kib; done ) >"$WORK/rss.upload" 2>/dev/null &
        sampler=$!
        upload_s=$(curl -sf -o "$WORK/upload.json" -w '%{time_total}' -H "Authorization: Bearer $officer" \
            -F "file=@$file;type=application/pdf" -F "description=benchmark" \
            "$BASE/api/v1/submissions/$draft/evidence")
        kill "$sampler" 2>/dev/null || true
        wait "$sampler" 2>/dev/null || true
        upload_rss=$(sort -n "$WORK/rss.upload" | tail -1)
    }
    upload_once
    mkdir -p "$WORK/data"
    dd_start=$(date +%s%N)
    dd if="$file" of="$WORK/data/dd.out" bs=1M conv=fsync status=none
    dd_s=$(python3 -c "print(($(date +%s%N) - $dd_start) / 1e9)")
    rm -f "$WORK/data/dd.out"
    python3 - "$UPLOAD_MIB" "$upload_s" "$dd_s" <<'EOF'
import sys
mib, upload, dd = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"\nupload of {mib} MiB: {upload:.2f} s ({mib / upload:.0f} MiB/s); dd conv=fsync: {dd:.2f} s "
      f"({mib / dd:.0f} MiB/s); upload at {100 * dd / upload:.0f} % of the disk write")
EOF
    echo "RSS during the upload: $(mib "$upload_rss") MiB (fresh server: $(mib "$upload_idle_rss") MiB before it)"
    if command -v s3s-fs >/dev/null; then
        # The same file into a bucket: s3s-fs on this machine's disk, a fresh server.
        mkdir -p "$WORK/s3/bench"
        s3s-fs --host 127.0.0.1 --port $((PORT + 1)) --access-key bench --secret-key bench-secret "$WORK/s3" \
            >"$WORK/s3.log" 2>&1 &
        S3_PID=$!
        until curl -s -o /dev/null "http://127.0.0.1:$((PORT + 1))/"; do sleep 0.05; done
        stop_server
        export ACCREDIT_EVIDENCE_URL=s3://bench/evidence AWS_ENDPOINT_URL=http://127.0.0.1:$((PORT + 1)) \
            AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret
        start_server
        sleep 1
        upload_idle_rss=$(rss_kib)
        upload_once
        unset ACCREDIT_EVIDENCE_URL AWS_ENDPOINT_URL AWS_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
        python3 - "$UPLOAD_MIB" "$upload_s" "$dd_s" <<'EOF'
import sys
mib, upload, dd = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"upload of {mib} MiB into the bucket (s3s-fs on this disk): {upload:.2f} s ({mib / upload:.0f} MiB/s), "
      f"{100 * dd / upload:.0f} % of the disk write")
EOF
        echo "RSS during the upload into the bucket: $(mib "$upload_rss") MiB (fresh server: $(mib "$upload_idle_rss") MiB before it)"
    fi
fi
echo "start-up: ${startup_ms} ms; RSS idle $(mib "$idle_rss") MiB, peak under load $(mib "$peak_rss") MiB, idle after a rebuild and the day's reminders $(mib "$rebuild_idle_rss") MiB"
