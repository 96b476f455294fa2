#!/bin/sh
# Honours the official mysql image's contract: MYSQL_DATABASE, MYSQL_USER,
# MYSQL_PASSWORD, MYSQL_RANDOM_ROOT_PASSWORD or MYSQL_ROOT_PASSWORD (each also
# as NAME_FILE, a file holding it), data in /var/lib/mysql, set up on first
# start by a server that listens only on its socket (so a TCP `mysqladmin
# ping` fails until the real server is up); run as root or as mysql (999).
set -eu

# NAME from NAME_FILE when that is set, as the official entrypoint's file_env.
file_env() {
    eval "file=\${${1}_FILE:-}"
    if [ -n "$file" ]; then
        eval "$1=\$(cat \"\$file\")"
    fi
}
for name in MYSQL_DATABASE MYSQL_USER MYSQL_PASSWORD MYSQL_ROOT_PASSWORD; do
    file_env "$name"
done

datadir=/var/lib/mysql
mkdir -p "$datadir" /run/mysqld
# MariaDB's first account is root, logging in through the socket as the OS
# root. Run as mysql, the set-up server skips the grant tables instead (its
# socket is private to this container) and loads them before the first ALTER.
user=""
skip=--skip-grant-tables
if [ "$(id -u)" = 0 ]; then
    chown mysql:mysql "$datadir" /run/mysqld
    user=--user=mysql
    skip=""
fi

if [ ! -d "$datadir/mysql" ]; then
    if [ -z "${MYSQL_ROOT_PASSWORD:-}" ] && [ "${MYSQL_RANDOM_ROOT_PASSWORD:-}" != yes ]; then
        echo "set MYSQL_ROOT_PASSWORD or MYSQL_RANDOM_ROOT_PASSWORD=yes" >&2
        exit 1
    fi
    root_password=${MYSQL_ROOT_PASSWORD:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}
    mariadb-install-db ${user:+"$user"} --datadir="$datadir" --skip-test-db >/dev/null
    mariadbd ${user:+"$user"} ${skip:+"$skip"} --datadir="$datadir" --skip-networking --socket=/run/mysqld/init.sock &
    pid=$!
    for _ in $(seq 1 60); do
        mariadb-admin --socket=/run/mysqld/init.sock ping --silent 2>/dev/null && break
        sleep 1
    done
    {
        echo "FLUSH PRIVILEGES;"
        echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$root_password';"
        if [ -n "${MYSQL_DATABASE:-}" ]; then
            echo "CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;"
        fi
        if [ -n "${MYSQL_USER:-}" ] && [ -n "${MYSQL_PASSWORD:-}" ]; then
            echo "CREATE USER '$MYSQL_USER'@'%' IDENTIFIED BY '$MYSQL_PASSWORD';"
            if [ -n "${MYSQL_DATABASE:-}" ]; then
                echo "GRANT ALL ON \`$MYSQL_DATABASE\`.* TO '$MYSQL_USER'@'%';"
            fi
        fi
    } | mariadb --socket=/run/mysqld/init.sock -uroot
    kill "$pid"
    wait "$pid" || true
fi

if [ "${1:-}" = mysqld ]; then
    shift
    exec mariadbd ${user:+"$user"} --datadir="$datadir" --bind-address=0.0.0.0 "$@"
fi
exec "$@"
