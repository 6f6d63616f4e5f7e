# shellcheck shell=bash
# Provisioning shared by scripts/run and scripts/test: Debian packages, build, a
# project-local PostgreSQL and Redis, migrations, the tm pool and nginx.
# Source it, set PROFILE (dev|test) and the *_PORT variables, then call the functions.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# nginx lives in /usr/sbin, which is not on an ordinary user's PATH on Debian.
case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH="$PATH:/usr/sbin:/sbin" ;; esac
PACKAGES=(build-essential pkg-config systemd nginx libnginx-mod-nchan postgresql redis-server redis-tools
          libfcgi-dev libpq-dev libhiredis-dev libssl-dev libargon2-dev libcurl4-openssl-dev zlib1g-dev openssl curl wrk python3 python3-pip procps)

# shellcheck source=docs.sh
source "$(dirname "${BASH_SOURCE[0]}")/docs.sh"

say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_packages() {
    local missing=()
    for package in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing Debian packages: ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    command -v swift >/dev/null || die "swift is not on PATH (install the Swift 6 toolchain)"
}

# The Python tools the test suite drives (pinned): openapi-spec-validator checks the OpenAPI
# document, schemathesis fuzzes the live API against it, websockets is the real-time tests'
# WebSocket client (their EventSource client is a few lines over a socket).
TEST_VENV="$REPO/scripts/.venv"
ensure_test_tools() {
    local want="schemathesis==4.32.5 openapi-spec-validator==0.9.0 prometheus-client==0.23.1 websockets==15.0.1"
    if [ ! -x "$TEST_VENV/bin/schemathesis" ] || [ "$(cat "$TEST_VENV/.pinned" 2>/dev/null)" != "$want" ]; then
        say "installing test tools into $TEST_VENV: $want"
        rm -rf "$TEST_VENV"
        python3 -m venv "$TEST_VENV"
        # shellcheck disable=SC2086
        "$TEST_VENV/bin/pip" install --quiet --disable-pip-version-check $want >&2 || die "could not install $want"
        echo "$want" >"$TEST_VENV/.pinned"
    fi
}

# The Python client's own virtualenv, made fresh on every test run so the suite tests what
# `pip install ./clients/python` gives a researcher today (its dependencies from PyPI, or
# pip's cache), plus pytest.
ensure_client_venv() { # ensure_client_venv DIR
    local dir="$1"
    say "installing the Python client into a fresh $dir"
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check "$REPO/clients/python" "pytest==8.3.4" >&2 \
        || die "could not install clients/python"
    CLIENT_VENV="$dir"
}

# The unprivileged user that runs the services (PostgreSQL refuses root): the caller
# itself, or the system user 'trademaster' when we are root.
setup_user() {
    if [ "$(id -u)" -eq 0 ]; then
        SVC_USER=trademaster
        id -u "$SVC_USER" >/dev/null 2>&1 || useradd --system --user-group --home-dir /nonexistent \
            --no-create-home --shell /usr/sbin/nologin "$SVC_USER"
        # setpriv execs the command itself (runuser would stay as its parent and SIGKILL it
        # two seconds after a SIGTERM, cutting the pool's graceful shutdown short).
        RUN_AS=(setpriv --reuid="$SVC_USER" --regid="$SVC_USER" --init-groups --)
    else
        SVC_USER="$(id -un)"
        RUN_AS=()
    fi
}

# State lives in .run/PROFILE, unless the service user cannot reach the checkout (a clone
# under /root, say): then under /var/tmp, keyed by the checkout's path.
setup_state() {
    STATE="${TM_STATE_DIR:-$REPO/.run/$PROFILE}"
    if [ "$(id -u)" -eq 0 ] && [ -z "${TM_STATE_DIR:-}" ] && ! "${RUN_AS[@]}" test -x "$REPO"; then
        STATE="/var/tmp/trademaster-$(printf '%s' "$REPO" | sha256sum | cut -c1-12)/$PROFILE"
    fi
    mkdir -p "$STATE"/{run,log,pg,redis,nginx,bin,secrets,crashes}
    chmod 700 "$STATE/secrets"
    [ "$(id -u)" -eq 0 ] && chown -R "$SVC_USER:" "$STATE"
    ENV_FILE="$STATE/env"
    SOCKET="$STATE/run/tm.sock"
    PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    say "state in $STATE (services run as $SVC_USER)"
}

secret() { # secret NAME: a random value kept in the state folder
    local file="$STATE/secrets/$1"
    [ -s "$file" ] || { openssl rand -hex 32 >"$file"; }
    [ "$(id -u)" -eq 0 ] && chown "$SVC_USER:" "$file"
    chmod 600 "$file"
    cat "$file"
}

build() { # build debug|release
    say "building tm ($1)"
    # A package mirror owned by another user (as on machines with an offline copy of the
    # Swift packages under /opt) is "dubious ownership" to git: trust it for this build only.
    if [ "$(id -u)" -ne 0 ] && [ -z "${GIT_CONFIG_GLOBAL:-}" ]; then
        local gitconfig="$STATE/gitconfig"
        printf '[include]\n\tpath = %s/.gitconfig\n[safe]\n\tdirectory = *\n' "$HOME" >"$gitconfig"
        export GIT_CONFIG_GLOBAL="$gitconfig"
    fi
    if [ "$1" = release ]; then
        (cd "$REPO" && swift build -c release --product tm 2>&1 | tail -n 3 >&2)
        install -m 755 "$REPO/.build/release/tm" "$STATE/bin/tm"
    else
        (cd "$REPO" && swift build --build-tests 2>&1 | tail -n 3 >&2)
        install -m 755 "$REPO/.build/debug/tm" "$STATE/bin/tm"
    fi
}

alive() { # alive PID: running and not a zombie (a daemon's exit is not always reaped here)
    # One read of /proc/PID/stat: a process that ends between two reads counts as gone (the
    # old check took an unreadable stat for "alive", and the kill -9 that followed failed).
    local state
    state="$(sed -n 's/^.*) \(.\).*$/\1/p' "/proc/$1/stat" 2>/dev/null)" || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

stop_pidfile() { # stop_pidfile FILE SIGNAL: stop a process we started (or an earlier run left)
    local file="$1" pid
    [ -s "$file" ] || return 0
    pid="$(head -n 1 "$file")"
    if alive "$pid"; then
        kill "-$2" "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
        if alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
    fi
    rm -f "$file"
}

start_postgres() {
    local password; password="$(secret pg_password)"
    if [ ! -s "$STATE/pg/PG_VERSION" ]; then
        say "initialising PostgreSQL in $STATE/pg"
        "${RUN_AS[@]}" "$PGBIN/initdb" -D "$STATE/pg" -U trademaster --pwfile="$STATE/secrets/pg_password" \
            --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$STATE/log/initdb.log" 2>&1 \
            || { cat "$STATE/log/initdb.log" >&2; die "initdb failed"; }
    fi
    if "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$STATE/pg" status >/dev/null 2>&1; then
        "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$STATE/pg" -m fast -w stop >/dev/null
    fi
    local extra=""
    [ "$PROFILE" = test ] && extra="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$STATE/pg" -l "$STATE/log/postgres.log" -w -t 60 \
        -o "-p $PG_PORT -k $STATE/run -c listen_addresses=127.0.0.1 -c max_connections=300 $extra" start >/dev/null \
        || { tail -n 20 "$STATE/log/postgres.log" >&2; die "PostgreSQL did not start"; }
    DATABASE_URL="postgresql://trademaster:$password@127.0.0.1:$PG_PORT/trademaster"
    # Likewise the pool and `tm worker` reach PostgreSQL through its unix socket (-k above).
    DATABASE_SOCKET_URL="postgresql://trademaster:$password@/trademaster?host=$STATE/run&port=$PG_PORT"
    if ! PGPASSWORD="$password" psql -h 127.0.0.1 -p "$PG_PORT" -U trademaster -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'trademaster'" | grep -q 1; then
        PGPASSWORD="$password" psql -h 127.0.0.1 -p "$PG_PORT" -U trademaster -d postgres -qc "CREATE DATABASE trademaster" >/dev/null
    fi
    say "PostgreSQL up on 127.0.0.1:$PG_PORT"
}

pg_ctl_cmd() { # used by the tests to stop and start PostgreSQL under load
    "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$STATE/pg" "$@"
}

start_redis() {
    local password; password="$(secret redis_password)"
    stop_pidfile "$STATE/run/redis.pid" TERM
    cat >"$STATE/redis.conf" <<CONF
port $REDIS_PORT
bind 127.0.0.1
unixsocket $STATE/run/redis.sock
unixsocketperm 700
protected-mode yes
requirepass $password
dir $STATE/redis
daemonize yes
pidfile $STATE/run/redis.pid
logfile $STATE/log/redis.log
save ""
appendonly no
CONF
    chmod 600 "$STATE/redis.conf"
    [ "$(id -u)" -eq 0 ] && chown "$SVC_USER:" "$STATE/redis.conf"
    "${RUN_AS[@]}" redis-server "$STATE/redis.conf"
    REDIS_URL="redis://:$password@127.0.0.1:$REDIS_PORT/0"
    # The pool and `tm worker` on this host use the unix socket: a loopback TCP round trip
    # costs the kernel about twice as much (bench/run, /auth/me). Tools keep REDIS_URL.
    REDIS_SOCKET_URL="unix://:$password@$STATE/run/redis.sock?db=0"
    for _ in $(seq 1 50); do
        if REDISCLI_AUTH="$password" redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
            say "Redis up on 127.0.0.1:$REDIS_PORT"; return
        fi
        sleep 0.1
    done
    die "Redis did not start (see $STATE/log/redis.log)"
}

write_env() { # the settings the pool reads (TM_ENV_FILE)
    cat >"$ENV_FILE" <<CONF
DEBUG=false
SECRET_KEY=$(secret secret_key)
DATABASE_URL=${DATABASE_SOCKET_URL:-$DATABASE_URL}
REDIS_URL=${REDIS_SOCKET_URL:-$REDIS_URL}
TRADEMASTER_API_URL=${TRADEMASTER_API_URL:-http://localhost:8080}
TM_LISTEN=$SOCKET
TM_SOCKET_MODE=0660
TM_WORKERS=${TM_WORKERS:-2}
TM_THREADS=${TM_THREADS:-4}
TM_MAX_REQUESTS=${TM_MAX_REQUESTS:-0}
TM_DIAGNOSTICS=${TM_DIAGNOSTICS:-false}
TM_MIGRATIONS_DIR=$REPO/migrations
TM_WORKER_CONCURRENCY=${TM_WORKER_CONCURRENCY:-4}
TM_WORKER_SHUTDOWN_TIMEOUT=${TM_WORKER_SHUTDOWN_TIMEOUT:-8}
TM_JOB_CRASH_DIR=$STATE/crashes
TM_REQUEST_TIMEOUT_MS=${TM_REQUEST_TIMEOUT_MS:-60000}
LOG_LEVEL=${LOG_LEVEL:-info}
TM_REALTIME_SECRET=$(secret realtime_secret)
TM_REALTIME_TICKET_TTL=${TM_REALTIME_TICKET_TTL:-60}
TM_REALTIME_PUBLISH_SOCKET=$STATE/run/nchan-publish.sock
TM_REALTIME_REPLAY_SECONDS=${TM_REALTIME_REPLAY_SECONDS:-300}
CONF
    chmod 600 "$ENV_FILE"
    [ "$(id -u)" -eq 0 ] && chown "$SVC_USER:" "$ENV_FILE"
    return 0
}

migrate() {
    say "migrating"
    TM_ENV_FILE="$ENV_FILE" "$STATE/bin/tm" migrate --dir "$REPO/migrations" >&2
}

start_pool() {
    stop_pidfile "$STATE/run/tm.pid" TERM
    "${RUN_AS[@]}" env TM_ENV_FILE="$ENV_FILE" "$STATE/bin/tm" serve >>"$STATE/log/tm.log" 2>&1 &
    TM_PID=$!
    echo "$TM_PID" >"$STATE/run/tm.pid"
    for _ in $(seq 1 100); do [ -S "$SOCKET" ] && return 0; kill -0 "$TM_PID" 2>/dev/null || break; sleep 0.1; done
    tail -n 20 "$STATE/log/tm.log" >&2
    die "the tm pool did not start"
}

start_tm_daemon() { # start_tm_daemon COMMAND READY: `tm COMMAND` in the background, logging to
    # COMMAND.log, until its log shows READY (a quoted log message)
    local command="$1" ready="$2" log="$STATE/log/$1.log" before=0
    stop_pidfile "$STATE/run/$command.pid" TERM
    [ -f "$log" ] && before="$(wc -l <"$log")"
    "${RUN_AS[@]}" env TM_ENV_FILE="$ENV_FILE" "$STATE/bin/tm" "$command" >>"$log" 2>&1 &
    echo $! >"$STATE/run/$command.pid"
    for _ in $(seq 1 100); do
        tail -n "+$((before + 1))" "$log" | grep -q "$ready" && { say "tm $command up"; return; }
        sleep 0.1
    done
    tail -n 20 "$log" >&2
    die "tm $command did not start"
}

start_worker() { start_tm_daemon worker '"listening"'; } # one `tm worker` for the job queue
start_relay() { start_tm_daemon relay '"relay subscribed"'; } # real-time events from the Redis bus to this nginx

# nginx started as an ordinary user with nchan loaded creates its compiled-in temp folder
# (/var/lib/nginx/body) even though our configuration names its own: where nothing created
# it (`apt-get install nginx` in a container never starts nginx), nginx refuses to start.
# Create it as the Debian package's first start would (www-data, 0700).
ensure_nginx_dirs() {
    [ -d /var/lib/nginx/body ] && return 0
    say "creating /var/lib/nginx/body (nginx's compiled-in temp folder)"
    as_root install -d -m 0755 /var/lib/nginx
    as_root install -d -m 0700 -o www-data -g root /var/lib/nginx/body
}

# A self-signed certificate for the local stack's TLS port (made once, kept in the state).
ensure_certificate() {
    local dir="$STATE/tls"
    mkdir -p "$dir"
    if [ ! -s "$dir/cert.pem" ] || [ ! -s "$dir/key.pem" ]; then
        openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=localhost" \
            -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
            -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1 || die "could not make a self-signed certificate"
        chmod 600 "$dir/key.pem"
    fi
    [ "$(id -u)" -eq 0 ] && chown -R "$SVC_USER:" "$dir"
    return 0
}

# The values that make the one nginx template (nginx/trademaster.conf.template) this
# profile's: addresses, files and allow-lists. The test profile exempts its own 127.0.0.1
# from the rate limits (the suite signs in hundreds of times; the limit tests send from
# 127.0.0.77), lets 127.0.0.1 reach /_diag/, and trusts 127.0.0.9 as a load balancer.
nginx_values() {
    NGINX_VALUES=(UPSTREAM="unix:$SOCKET" PID="$STATE/run/nginx.pid" TEMP_DIR="$STATE/nginx" DOCS="$STATE/docs"
        PUBLISH_SOCKET="$STATE/run/nchan-publish.sock" REALTIME_SECRET_CONF="$STATE/nginx-conf/realtime-secret.conf"
        LISTEN_HTTP="127.0.0.1:$HTTP_PORT" LISTEN_HTTPS="127.0.0.1:$HTTPS_PORT"
        CERT="$STATE/tls/cert.pem" CERT_KEY="$STATE/tls/key.pem" SERVER_NAME=localhost WORKERS=2
        ERROR_LOG="$STATE/log/nginx-error.log" ACCESS_LOG="$STATE/log/nginx-access.log"
        CORS_ORIGINS='~^https?://(localhost|127\.0\.0\.1)(:[0-9]+)?$' METRICS_ALLOW="127.0.0.1 ::1"
        REQUEST_TIMEOUT_S=$(((${TM_REQUEST_TIMEOUT_MS:-60000} + 999) / 1000)) REALTIME_REPLAY_S="${TM_REALTIME_REPLAY_SECONDS:-300}")
    if [ "$PROFILE" = test ]; then
        NGINX_VALUES+=(DIAG_ALLOW=127.0.0.1 LIMIT_EXEMPT=127.0.0.1 REAL_IP_FROM=127.0.0.9)
    fi
}

# The key nginx checks real-time subscribe URLs with (the app's TM_REALTIME_SECRET), in a
# file of its own that only the service user reads (nginx/render's REALTIME_SECRET_CONF).
write_realtime_secret_conf() { # write_realtime_secret_conf FILE
    mkdir -p "$(dirname "$1")"
    (umask 077 && printf 'map $tm_request_id $tm_realtime_secret { default "%s"; }\n' "$(secret realtime_secret)" >"$1")
    [ "$(id -u)" -ne 0 ] || chown "$SVC_USER:" "$1"
}

start_nginx() {
    stop_pidfile "$STATE/run/nginx.pid" QUIT
    ensure_nginx_dirs
    ensure_certificate
    mkdir -p "$STATE/nginx"
    install_docs "$STATE/docs" || die "the API documentation assets could not be installed"
    [ "$(id -u)" -eq 0 ] && chown -R "$SVC_USER:" "$STATE/nginx" "$STATE/log"
    write_realtime_secret_conf "$STATE/nginx-conf/realtime-secret.conf"
    nginx_values
    "$REPO/nginx/render" "$STATE/nginx-conf" "${NGINX_VALUES[@]}" || die "nginx/render failed"
    "${RUN_AS[@]}" nginx -e "$STATE/log/nginx-error.log" -p "$STATE/nginx" -c "$STATE/nginx-conf/nginx.conf" \
        || die "nginx did not start (see $STATE/log/nginx-error.log)"
    for _ in $(seq 1 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/health")" = 200 ] \
            && { say "nginx up on http://127.0.0.1:$HTTP_PORT and https://localhost:$HTTPS_PORT"; return; }
        sleep 0.1
    done
    die "GET /health through nginx did not answer 200 (see $STATE/log)"
}

stop_stack() {
    stop_pidfile "$STATE/run/nginx.pid" QUIT
    stop_pidfile "$STATE/run/worker.pid" TERM
    stop_pidfile "$STATE/run/relay.pid" TERM
    stop_pidfile "$STATE/run/tm.pid" TERM
    stop_pidfile "$STATE/run/fake-trademaster.pid" TERM
    stop_pidfile "$STATE/run/redis.pid" TERM
    if [ -s "$STATE/pg/postmaster.pid" ]; then "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$STATE/pg" -m fast -w stop >/dev/null 2>&1 || true; fi
}
