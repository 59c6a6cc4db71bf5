#!/usr/bin/env bash
# PostgreSQL backend CPU per gift: one pgbench client replays bench/ledger/gift.pgbench for 10 s against a
# database `seed.py` filled, and the backend's utime + stime (/proc/<pid>/stat) is divided by the
# transactions. Counts CPU, not time, so it holds up on a busy machine. Usage: bench/ledger/gift_cpu.sh <db>
set -euo pipefail
cd "$(dirname "$0")/../.."
DB=$1
LOG=$(mktemp)
read -r LO HI NET <<<"$(psql -h 127.0.0.1 -U postgres -tA -F' ' "$DB" \
    -c "SELECT min(user_id), max(user_id), min(network_id) FROM members_membership WHERE role = 'member'")"
pgbench -h 127.0.0.1 -U postgres -n -M prepared -c 1 -j 1 -T 10 -D lo="$LO" -D hi="$HI" -D net="$NET" \
    -f bench/ledger/gift.pgbench "$DB" >"$LOG" 2>&1 &
BENCH=$!
sleep 1
PID=$(psql -h 127.0.0.1 -U postgres -tA \
    -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgbench' AND datname = '$DB' LIMIT 1")
TICKS=0
while kill -0 "$BENCH" 2>/dev/null; do  # the last reading before the backend exits
    T=$(awk '{print $14 + $15}' "/proc/$PID/stat" 2>/dev/null || true); [ -n "$T" ] && TICKS=$T; sleep 0.2
done
N=$(sed -nE 's/.*actually processed: ([0-9]+).*/\1/p' "$LOG")
python3 -c "import os,sys; t,n=int(sys.argv[1]),int(sys.argv[2]); print(f'{n} gifts, backend CPU {1000*t/os.sysconf(\"SC_CLK_TCK\")/n:.3f} ms per gift')" "$TICKS" "$N"
