"""Reads one wrk --latency report and the RSS samples taken during it; prints one JSON line:
name, requests per second, p50 and p99 in milliseconds, failed responses, peak RSS in KiB,
and the time of one request alone (measured before the run, passed in)."""
import json
import re
import sys

name, report, rss = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
alone = float(sys.argv[4]) if len(sys.argv) > 4 else float("nan")


def millis(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def percentile(p):
    match = re.search(rf"^\s+{p}%\s+(\S+)", report, re.M)
    return millis(match.group(1)) if match else float("nan")


rps = float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1))
errors = 0
for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"):
    match = re.search(pattern, report)
    if match:
        errors += sum(int(g) for g in match.groups())
samples = [int(line) for line in open(rss) if line.strip().isdigit()]
print(json.dumps({"name": name, "rps": rps, "p50": percentile(50), "p99": percentile(99),
                  "errors": errors, "rss_kib": max(samples, default=0), "alone_ms": alone}))
