#!/usr/bin/env bash
# Ledger benchmark, one run (~4 minutes): pgbench TPC-B as the yardstick, the gift's own SQL replayed by
# pgbench (bench/ledger/gift.pgbench: what no web tier can beat), then the HTTP gift endpoint
# (session token, Idempotency-Key, audit, the real service) under 16 connections, served by
# granian WSGI (2 workers), granian ASGI (2 workers) and daphne (ASGI), then half the best rate.
# Needs PostgreSQL on 127.0.0.1:5432 (trust auth) and Redis on 127.0.0.1:6379. Only targets 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
PG="postgres://postgres@127.0.0.1:5432"
BENCH_DB=${BENCH_DB:-tb_ledger_bench}
PGBENCH_DB=${PGBENCH_DB:-tb_ledger_pgbench}
PORT=${BENCH_PORT:-8471}
DURATION=${BENCH_DURATION:-20}
OUT=$(mktemp -d)
export DJANGO_DEBUG=0 DJANGO_SECRET_KEY=bench-only-secret-key-bench-only-secret-key-0123456789
# The API's rate limit is still counted on every request; raised so it never refuses a bench member.
export TIMEBANK_API_RATE=100000/minute
export DJANGO_ALLOWED_HOSTS=127.0.0.1 DATABASE_URL="$PG/$BENCH_DB" REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/12}
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get install -y -q wrk >/dev/null; else
        echo "needs wrk (Debian: apt-get install wrk)"; exit 1; fi
fi

echo "== pgbench TPC-B: -i -s 10, then -M prepared -c 8 -j 2 -T 30"
dropdb -h 127.0.0.1 -U postgres --if-exists "$PGBENCH_DB"; createdb -h 127.0.0.1 -U postgres "$PGBENCH_DB"
pgbench -h 127.0.0.1 -U postgres -i -s 10 -q "$PGBENCH_DB" >"$OUT/pgbench-init.log" 2>&1
pgbench -h 127.0.0.1 -U postgres -M prepared -c 8 -j 2 -T 30 "$PGBENCH_DB" >"$OUT/pgbench.log" 2>&1
TPS=$(grep -E "^tps" "$OUT/pgbench.log" | head -1 | sed -E 's/tps = ([0-9.]+).*/\1/')
echo "pgbench tps: $TPS"

echo "== timebank database, 32 members with opening balances"
dropdb -h 127.0.0.1 -U postgres --if-exists "$BENCH_DB"; createdb -h 127.0.0.1 -U postgres "$BENCH_DB"
redis-cli -n "${REDIS_URL##*/}" flushdb >/dev/null
$PY manage.py migrate -v 0
$PY manage.py collectstatic --noinput -v 0
$PY bench/ledger/seed.py 32 >"$OUT/seed.json"

# The ceiling of the gift endpoint on this machine: its database work alone, replayed by pgbench.
read -r LO HI NET <<<"$(psql -h 127.0.0.1 -U postgres -tA -F' ' "$BENCH_DB" \
    -c "SELECT min(user_id), max(user_id), min(network_id) FROM members_membership WHERE role = 'member'")"
pgbench -h 127.0.0.1 -U postgres -n -M prepared -c 16 -j 2 -T "$DURATION" -D lo="$LO" -D hi="$HI" -D net="$NET" \
    -f bench/ledger/gift.pgbench "$BENCH_DB" >"$OUT/gift-sql.log" 2>&1
SQL_TPS=$(grep -E "^tps" "$OUT/gift-sql.log" | head -1 | sed -E 's/tps = ([0-9.]+).*/\1/')
echo "== the gift's SQL alone (pgbench, 16 clients, ${DURATION}s): $SQL_TPS tps = $($PY -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.3f}')" "$SQL_TPS" "$TPS") x pgbench"

serve() {  # serve <name> <command...>; waits until /healthz answers
    "${@:2}" >"$OUT/$1.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        curl -sf -H "X-Forwarded-Proto: https" "http://127.0.0.1:$PORT/healthz" >/dev/null && return 0
        sleep 0.2
    done
    echo "server $1 did not start"; cat "$OUT/$1.log"; exit 1
}
stop() {  # ASGI servers can wait for ever on requests that wrk abandoned at its deadline: 10 s, then SIGKILL
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        pkill -9 -P "$SERVER_PID" 2>/dev/null || true; kill -9 "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; sleep 1
}
load() { $PY bench/ledger/load.py --port "$PORT" --seed "$OUT/seed.json" --tokens "$OUT/tokens.json" --connections 16 --duration "$@"; }
# wrk is written in C: the load generator takes little of the two cores the server needs.
blast() {
    [ -f "$OUT/tokens.json.txt" ] || load 0 --login-only
    wrk -t 2 -c 16 -d "${1}s" -s bench/ledger/gifts.lua "http://127.0.0.1:$PORT" -- "$OUT/tokens.json.txt" bench | tail -1
}
# CPU time (clock ticks) used so far by the processes named, and a process with its descendants.
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
family() { local c; echo "$1"; for c in $(pgrep -P "$1"); do family "$c"; done; }
ratio() { $PY -c "import json,sys; r=json.loads(sys.argv[1]); print(f\"{r['gifts_per_s']} gifts/s = {r['gifts_per_s']/float(sys.argv[2]):.3f} x pgbench, errors {r['errors']}, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms\")" "$1" "$TPS"; }

start() {  # the three process layouts measured
    case $1 in
        granian-wsgi) serve "$1" .venv/bin/granian --interface wsgi --workers 2 --no-access-log --host 127.0.0.1 --port "$PORT" timebank.wsgi:application ;;
        # Under ASGI every request runs in its own thread: persistent connections would pile up.
        granian-asgi) DATABASE_CONN_MAX_AGE=0 serve "$1" .venv/bin/granian --interface asgi --workers 2 --no-access-log --host 127.0.0.1 --port "$PORT" timebank.asgi:application ;;
        daphne) DATABASE_CONN_MAX_AGE=0 serve "$1" .venv/bin/daphne -b 127.0.0.1 -p "$PORT" timebank.asgi:application ;;
    esac
}

declare -A RATES
BEST=""
for layout in granian-wsgi granian-asgi daphne; do
    start $layout
    blast 3 >/dev/null  # warm-up: every worker has imported everything and opened its connections
    SERVER=$(family "$SERVER_PID"); DB=$(pgrep -u postgres); CACHE=$(pgrep -x redis-server)
    # shellcheck disable=SC2086  # lists of pids
    read -r S0 D0 C0 <<<"$(ticks $SERVER) $(ticks $DB) $(ticks $CACHE)"
    RESULT=$(blast "$DURATION")
    # shellcheck disable=SC2086
    read -r S1 D1 C1 <<<"$(ticks $SERVER) $(ticks $DB) $(ticks $CACHE)"
    stop
    echo "== $layout, 16 connections, ${DURATION}s: $RESULT"
    echo "   $(ratio "$RESULT")"
    $PY -c "import json,os,sys; n=json.loads(sys.argv[1])['requests']; hz=os.sysconf('SC_CLK_TCK'); \
print('   CPU per gift: ' + ', '.join(f'{name} {1000 * int(t) / hz / n:.2f} ms' for name, t in \
zip(('server', 'PostgreSQL', 'Redis'), sys.argv[2:])))" "$RESULT" $((S1 - S0)) $((D1 - D0)) $((C1 - C0))
    RATES[$layout]=$($PY -c "import json,sys; print(json.loads(sys.argv[1])['gifts_per_s'])" "$RESULT")
    if [ -z "$BEST" ] || $PY -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "${RATES[$layout]}" "${RATES[$BEST]}"; then
        BEST=$layout
    fi
done

HALF=$($PY -c "import sys; print(round(float(sys.argv[1]) / 2))" "${RATES[$BEST]}")
start "$BEST"
RESULT=$(load 15 --rate "$HALF")
stop
echo "== fastest layout: $BEST; at half its rate ($HALF/s), 15s: $RESULT"

echo "== verify_ledger"
$PY manage.py verify_ledger
echo "transfers written: $(psql -h 127.0.0.1 -U postgres -tA -c 'select count(*) from exchanges_transfer' "$BENCH_DB")"
