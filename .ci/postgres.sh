#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the test suite; print the admin URL on stdout.
# Installs Debian's postgresql when missing; runs the server as a non-root user (created when we are root).
# The server lives in a temporary folder and stops when the calling shell runs the printed stop command
# (CI just lets the machine go); logs go to stderr so that `url=$(bash .ci/postgres.sh)` works.
set -euo pipefail
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >&2
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
port=${TRESXUNO_PG_PORT:-54329}
if [ "$(id -u)" -eq 0 ]; then
  owner=tresxuno_pg
  id "$owner" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
  as_owner() { runuser -u "$owner" -- "$@"; }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi
data=$(mktemp -d /tmp/tresxuno-pg.XXXXXX)
chown "$owner" "$data"
as_owner "$bin/initdb" -D "$data/db" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2
# Durability is not under test here, speed is: no fsync (the server is thrown away with the run).
as_owner "$bin/pg_ctl" -D "$data/db" -l "$data/log" -w -o "-h 127.0.0.1 -p $port -k $data -F" start >&2
echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
echo "PostgreSQL $($bin/postgres --version | awk '{print $3}') on 127.0.0.1:$port, data in $data" >&2
