#!/usr/bin/env bash
# Starts (or stops) a throwaway cluster of Debian's PostgreSQL for the tests'
# second pass; installs the package when absent. `start` prints the URL.
set -euo pipefail
cmd=${1:-start}
dir=${SB_DEBIAN_PG_DIR:-/tmp/scorebridge-debian-pg}
port=${SB_DEBIAN_PG_PORT:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ]; then
  bash "$(dirname "$0")/system-deps.sh" >&2
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}
case "$cmd" in
  start)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_pg "$bin/pg_ctl -D $dir/data -m fast -w stop" >&2 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_pg "$bin/initdb -D $dir/data -U postgres --auth=trust -E UTF8" >/dev/null
    as_pg "$bin/pg_ctl -D $dir/data -l $dir/log -w -o \"-k $dir -p $port -c listen_addresses=''\" start" >&2
    echo "postgresql://postgres@/postgres?host=$dir&port=$port"
    ;;
  stop)
    as_pg "$bin/pg_ctl -D $dir/data -m fast -w stop"
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
