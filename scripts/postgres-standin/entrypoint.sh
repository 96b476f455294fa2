#!/bin/sh
# Honours the official postgres image's contract: POSTGRES_USER,
# POSTGRES_PASSWORD, POSTGRES_DB (each also as NAME_FILE, a file holding it),
# data in $PGDATA, initdb on first start, listening on every address with
# password auth; started as root it drops to postgres (999), started as 999
# (a pod's runAsUser) it runs as it is.
set -eu

# NAME from NAME_FILE when that is set, as the official entrypoint's file_env.
file_env() {
    eval "file=\${${1}_FILE:-}"
    if [ -n "$file" ]; then
        eval "$1=\$(cat \"\$file\")"
    fi
}
file_env POSTGRES_USER
file_env POSTGRES_PASSWORD
file_env POSTGRES_DB
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE must be set}"
: "${POSTGRES_DB:=$POSTGRES_USER}"

if [ "$(id -u)" = 0 ]; then
    as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
    mkdir -p "$PGDATA" /var/run/postgresql
    chown -R postgres:postgres "$PGDATA" /var/run/postgresql
else
    as_postgres() { "$@"; }
    mkdir -p "$PGDATA" /var/run/postgresql
fi
chmod 700 "$PGDATA"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    chown postgres "$pwfile"
    as_postgres initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust \
        --auth-host=scram-sha-256 -D "$PGDATA" >/dev/null
    rm -f "$pwfile"
    echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    if [ "$POSTGRES_DB" != postgres ]; then
        echo "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\";" \
            | as_postgres postgres --single -D "$PGDATA" postgres >/dev/null
    fi
fi

if [ "${1:-}" = postgres ]; then
    shift
    if [ "$(id -u)" = 0 ]; then
        exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$PGDATA" "$@"
    fi
    exec postgres -D "$PGDATA" "$@"
fi
exec "$@"
