# Sourced by the test, demo and benchmark scripts: a private PostgreSQL 15 cluster
# owned by this project (its own data directory, port and socket; never the system
# service), run as the postgres user because PostgreSQL refuses to run as root.
#
#   cluster_start DIR   initialise (once) and start; sets PGHOST, PGPORT, PGUSER
#   cluster_stop DIR    stop it

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    local port=${1:-55432}
    while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || [ -e "/tmp/.s.PGSQL.$port" ]; do
        port=$((port + 1))
    done
    echo "$port"
}

cluster_start() {
    local dir=$1
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_postgres "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1 ||
            { cat "$dir/initdb.log"; return 1; }
    fi
    mkdir -p "$dir/socket" && { [ "$(id -u)" != 0 ] || chown postgres "$dir/socket"; }
    local port
    port=$(free_port "${PGPORT_WANTED:-55432}")
    # A relocatable tree (tests/pg_versions.sh) carries its own libpq, which its modules
    # (postgres_fdw, dblink) need instead of the system's older one.
    local libs=()
    [ -e "$PG_BIN/../lib/libpq.so.5" ] && libs=("LD_LIBRARY_PATH=$(cd "$PG_BIN/../lib" && pwd)")
    as_postgres env "${libs[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir/socket -c listen_addresses='' ${PG_EXTRA_OPTS:-}" start >/dev/null ||
        { tail -20 "$dir/server.log"; return 1; }
    export PGHOST=$dir/socket PGPORT=$port PGUSER=postgres
}

cluster_stop() {
    local dir=$1
    [ -f "$dir/data/postmaster.pid" ] &&
        as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
    return 0
}
