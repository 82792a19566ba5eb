#!/bin/bash
# The official mariadb image's entrypoint contract, for the parts stacks use:
#  - a first argument starting with `-` runs mariadbd with the arguments;
#  - the server flags are checked before anything else (`--verbose --help`),
#    so an unknown flag fails at once, naming it;
#  - on an empty datadir: MARIADB_ROOT_PASSWORD (or MARIADB_ALLOW_EMPTY_ROOT_PASSWORD,
#    MARIADB_RANDOM_ROOT_PASSWORD), MARIADB_ROOT_HOST, MARIADB_DATABASE,
#    MARIADB_USER, MARIADB_PASSWORD, each also as MYSQL_* and as *_FILE,
#    then /docker-entrypoint-initdb.d/*.{sh,sql,sql.gz};
#  - started as root it fixes ownership and drops to mysql (999).
set -Eeo pipefail

log() { echo "$(date --rfc-3339=seconds) [Note] [Entrypoint]: $*"; }
die() { echo "$(date --rfc-3339=seconds) [ERROR] [Entrypoint]: $*" >&2; exit 1; }

# MARIADB_X, else MYSQL_X, else X_FILE of either; default $2.
file_env() {
  local var="MARIADB_$1" alt="MYSQL_$1" def="${2:-}" val=""
  local fvar="${var}_FILE" falt="${alt}_FILE"
  if [ -n "${!var:-}" ]; then val="${!var}"
  elif [ -n "${!alt:-}" ]; then val="${!alt}"
  elif [ -n "${!fvar:-}" ]; then val="$(< "${!fvar}")"
  elif [ -n "${!falt:-}" ]; then val="$(< "${!falt}")"
  else val="$def"; fi
  export "$var"="$val"
  unset "$fvar" "$falt"
}

if [ "${1:0:1}" = '-' ]; then set -- mariadbd "$@"; fi
if [ "$1" != mariadbd ] && [ "$1" != mysqld ]; then exec "$@"; fi
for arg; do case "$arg" in -'?'|--help|--print-defaults|-V|--version) exec "$@" ;; esac; done

# Also validates every flag: mariadbd refuses an unknown one here.
if ! conf=$("$@" --verbose --help 2>&1 >/dev/null) && [ -n "$conf" ]; then
  die "mariadbd failed while attempting to check config; command was: $* --verbose --help
$conf"
fi
# Only lines that start with the name: the help text also wraps words like "socket" to a line start.
help=$("$@" --verbose --help 2>/dev/null)
DATADIR=$(awk '/^datadir[[:space:]]/ { print $2 }' <<<"$help")
SOCKET=$(awk '/^socket[[:space:]]/ { print $2 }' <<<"$help")

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$DATADIR" "$(dirname "$SOCKET")"
  find "$DATADIR" \! -user mysql -exec chown mysql: '{}' +
  chown mysql: "$(dirname "$SOCKET")"
  exec setpriv --reuid=mysql --regid=mysql --init-groups "$BASH_SOURCE" "$@"
fi

if [ ! -d "$DATADIR/mysql" ]; then
  file_env ROOT_PASSWORD
  file_env ALLOW_EMPTY_ROOT_PASSWORD
  file_env RANDOM_ROOT_PASSWORD
  file_env ROOT_HOST '%'
  file_env DATABASE
  file_env USER
  file_env PASSWORD
  if [ -z "$MARIADB_ROOT_PASSWORD" ] && [ -z "$MARIADB_ALLOW_EMPTY_ROOT_PASSWORD" ] && [ -z "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
    die "Database is uninitialized and password option is not specified
	You need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ROOT_PASSWORD_HASH, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD"
  fi
  if [ -n "$MARIADB_USER" ] && [ "$MARIADB_USER" = root ]; then
    die "MARIADB_USER=\"root\", MARIADB_USER and MARIADB_PASSWORD are for configuring a regular user and cannot be used for the root user"
  fi
  if [ -n "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
    MARIADB_ROOT_PASSWORD=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32)
    log "GENERATED ROOT PASSWORD: $MARIADB_ROOT_PASSWORD"
  fi

  log "Initializing database files"
  mariadb-install-db --datadir="$DATADIR" --rpm --auth-root-authentication-method=normal \
    --skip-test-db --default-time-zone=SYSTEM --enforce-storage-engine= --skip-log-bin \
    --expire-logs-days=0 --loose-innodb_buffer_pool_load_at_startup=0 \
    --loose-innodb_buffer_pool_dump_at_shutdown=0 "${@:2}" >/dev/null
  log "Database files initialized"

  # Nothing can connect over the network while the database is set up.
  "$@" --skip-networking --default-time-zone=SYSTEM --socket="$SOCKET" --wsrep_on=OFF \
    --expire-logs-days=0 --loose-innodb_buffer_pool_load_at_startup=0 --skip-log-bin &
  pid=$!
  for _ in $(seq 60); do
    mariadb --protocol=socket -uroot -hlocalhost --socket="$SOCKET" -e 'SELECT 1' >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || die "Unable to start server."
    sleep 1
  done
  sql() { mariadb --protocol=socket -uroot -hlocalhost --socket="$SOCKET" --password="$MARIADB_ROOT_PASSWORD" --binary-mode "$@"; }
  esc() { printf '%s' "$1" | sed -e "s/\\\\/\\\\\\\\/g" -e "s/'/\\\\'/g"; }
  root_pw=$(esc "$MARIADB_ROOT_PASSWORD")
  root_host=$(esc "$MARIADB_ROOT_HOST")
  {
    echo "SET @@SESSION.SQL_LOG_BIN=0;"
    echo "DELETE FROM mysql.user WHERE user NOT IN ('mysql.sys', 'mariadb.sys', 'mysqlxsys', 'root') OR host NOT IN ('localhost');"
    echo "SET PASSWORD FOR 'root'@'localhost'= PASSWORD('${root_pw}');"
    if [ -n "$MARIADB_ROOT_HOST" ] && [ "$MARIADB_ROOT_HOST" != localhost ]; then
      echo "CREATE USER 'root'@'${root_host}' IDENTIFIED BY '${root_pw}';"
      echo "GRANT ALL ON *.* TO 'root'@'${root_host}' WITH GRANT OPTION;"
    fi
    echo "DROP DATABASE IF EXISTS test;"
    if [ -n "$MARIADB_DATABASE" ]; then echo "CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;"; fi
    if [ -n "$MARIADB_USER" ] && [ -n "$MARIADB_PASSWORD" ]; then
      echo "CREATE USER '$(esc "$MARIADB_USER")'@'%' IDENTIFIED BY '$(esc "$MARIADB_PASSWORD")';"
      if [ -n "$MARIADB_DATABASE" ]; then echo "GRANT ALL ON \`${MARIADB_DATABASE//_/\\_}\`.* TO '$(esc "$MARIADB_USER")'@'%';"; fi
    fi
  } | mariadb --protocol=socket -uroot -hlocalhost --socket="$SOCKET" --binary-mode

  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) if [ -x "$f" ]; then log "$0: running $f"; "$f"; else log "$0: sourcing $f"; . "$f"; fi ;;
      *.sql) log "$0: running $f"; sql ${MARIADB_DATABASE:+"$MARIADB_DATABASE"} <"$f" ;;
      *.sql.gz) log "$0: running $f"; gunzip -c "$f" | sql ${MARIADB_DATABASE:+"$MARIADB_DATABASE"} ;;
      */\*) ;;
      *) log "$0: ignoring $f" ;;
    esac
  done

  kill "$pid" && wait "$pid" || true
  log "MariaDB init process done. Ready for start up."
fi

unset MARIADB_ROOT_PASSWORD MYSQL_ROOT_PASSWORD MARIADB_PASSWORD MYSQL_PASSWORD
exec "$@"
