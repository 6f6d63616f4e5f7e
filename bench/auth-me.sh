#!/usr/bin/env bash
# Measures the authenticated hot path and the cost of a login against a running stack.
#
#   BASE_URL=http://127.0.0.1:28000 TM_BENCH_USERNAME=alice TM_BENCH_PASSWORD=... bench/auth-me.sh
#
# 1. Times LOGIN_SAMPLES logins (POST /api/v1/auth/login: one Argon2id verification, a
#    session in Redis, an audit row) one after another and prints each and the median.
# 2. Runs wrk -t2 -c32 -d10s on GET /api/v1/auth/me with the last access token (JWT check,
#    one Redis HMGET for the session, one SELECT for the user).
# Set TM_BENCH_REGISTER=1 to register the user first (409 when it exists is fine).
# Nothing secret is printed: the token is kept in a variable only.
set -euo pipefail
BASE_URL="${BASE_URL:-http://127.0.0.1:28000}"
: "${TM_BENCH_USERNAME:?set TM_BENCH_USERNAME}" "${TM_BENCH_PASSWORD:?set TM_BENCH_PASSWORD}"
LOGIN_SAMPLES="${LOGIN_SAMPLES:-5}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"

json() { python3 -c 'import json,sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' "$@"; }

if [ "${TM_BENCH_REGISTER:-0}" = 1 ]; then
    body=$(python3 -c 'import json,sys; print(json.dumps({"username":sys.argv[1],"email":sys.argv[1]+"@example.com","password":sys.argv[2],"agree_terms":True}))' \
        "$TM_BENCH_USERNAME" "$TM_BENCH_PASSWORD")
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d "$body" "$BASE_URL/api/v1/auth/register")
    echo "register: HTTP $code"
fi

login_body=$(json username "$TM_BENCH_USERNAME" password "$TM_BENCH_PASSWORD")
times=()
TOKEN=""
for _ in $(seq 1 "$LOGIN_SAMPLES"); do
    out=$(curl -s -w '\n%{http_code} %{time_total}' -H 'Content-Type: application/json' -d "$login_body" "$BASE_URL/api/v1/auth/login")
    status_line=$(tail -n 1 <<<"$out")
    code=${status_line%% *}
    [ "$code" = 200 ] || { echo "login failed: HTTP $code" >&2; exit 1; }
    times+=("${status_line#* }")
    TOKEN=$(head -n -1 <<<"$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens"]["access_token"])')
done
printf 'login time_total (s): %s\n' "${times[*]}"
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "login median: %.1f ms over %d logins\n", a[int((NR+1)/2)]*1000, NR}'

code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE_URL/api/v1/auth/me")
[ "$code" = 200 ] || { echo "GET /auth/me answered $code" >&2; exit 1; }
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION GET $BASE_URL/api/v1/auth/me"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$BASE_URL/api/v1/auth/me"
