#!/usr/bin/env bash
# Starts a private PostgreSQL for the tests: its own data directory and port, trust auth on
# loopback only. Installs Debian's postgresql package when no server binaries are found.
#
#   scripts/postgres.sh start DIR PORT   prints the DSN on stdout
#   scripts/postgres.sh stop DIR
set -euo pipefail

find_bin() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	done
	return 1
}

as_owner() {
	# initdb and postgres refuse to run as root: run them as the postgres user then.
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:?usage: postgres.sh start DIR PORT | stop DIR}
dir=${2:?data directory}

case "$cmd" in
start)
	port=${3:?port}
	if ! bin=$(find_bin); then
		echo "postgres.sh: installing PostgreSQL from Debian's packages" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2
		apt-get install -y -qq --no-install-recommends postgresql >&2
		bin=$(find_bin)
	fi
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; exit 1; }
	fi
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >&2 ||
		{ cat "$dir/server.log" >&2; exit 1; }
	echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	;;
stop)
	if bin=$(find_bin) && [ -f "$dir/data/postmaster.pid" ]; then
		as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
	fi
	;;
*)
	echo "usage: postgres.sh start DIR PORT | stop DIR" >&2
	exit 2
	;;
esac
