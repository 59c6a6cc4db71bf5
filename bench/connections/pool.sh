#!/usr/bin/env bash
# The ledger's gift endpoint on the production web layout (granian WSGI, 2 workers, DJANGO_DEBUG=0) with the
# database pool (the default) and with persistent per-thread connections (DATABASE_POOL=0), alternating,
# PAIRS times, SECONDS each, 16 keep-alive connections (bench/ledger/load.py); the highest number of server
# connections PostgreSQL saw during each run; then verify_ledger. Needs PostgreSQL and Redis on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
DB=${BENCH_DB:-tb_pool_bench}
PORT=${BENCH_PORT:-8473}
SECONDS_EACH=${BENCH_SECONDS:-15}
PAIRS=${BENCH_PAIRS:-3}
OUT=$(mktemp -d)
export DJANGO_DEBUG=0 DJANGO_SECRET_KEY=bench-only-secret-key-bench-only-secret-key-0123456789
export TIMEBANK_API_RATE=100000/minute DJANGO_ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/13}
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

dropdb -h 127.0.0.1 -U postgres --if-exists --force "$DB"; createdb -h 127.0.0.1 -U postgres "$DB"
redis-cli -n "${REDIS_URL##*/}" flushdb >/dev/null
$PY manage.py migrate -v 0
$PY bench/ledger/seed.py 32 >"$OUT/seed.json"

connections() {
    psql -h 127.0.0.1 -U postgres -tAc "SELECT count(*) FROM pg_stat_activity WHERE datname = '$DB' AND backend_type = 'client backend'" postgres
}
run() {  # run <label> <DATABASE_POOL>
    DATABASE_POOL=$2 .venv/bin/granian --interface wsgi --workers 2 --no-access-log --host 127.0.0.1 --port "$PORT" \
        timebank.wsgi:application >"$OUT/$1.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do curl -sf -H "X-Forwarded-Proto: https" "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
    load() { $PY bench/ledger/load.py --port "$PORT" --seed "$OUT/seed.json" --tokens "$OUT/tokens.json" --connections 16 --duration "$@"; }
    load 3 >/dev/null  # warm-up (and, the first time, log everyone in)
    HIGHEST=0
    ( while sleep 0.1; do echo "$(connections)"; done ) >"$OUT/$1.conns" &
    SAMPLER=$!
    RESULT=$(load "$SECONDS_EACH")
    kill $SAMPLER; wait $SAMPLER 2>/dev/null || true
    HIGHEST=$(sort -n "$OUT/$1.conns" | tail -1)
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
    echo "$1: $RESULT; at most $HIGHEST database connections"
}
for n in $(seq "$PAIRS"); do
    run "persistent-$n" 0
    run "pool-$n" 1
done
$PY manage.py verify_ledger
