#!/bin/sh
# The official nginx image's entrypoint contract: for `nginx` and
# `nginx-debug`, run the executable /docker-entrypoint.d/*.sh in order (and
# source *.envsh), unless NGINX_ENTRYPOINT_QUIET_LOGS silences the logging;
# then exec the command.
set -e

log() { [ -n "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ] || echo "$@"; }

if [ "$1" = nginx ] || [ "$1" = nginx-debug ]; then
  for f in $(find /docker-entrypoint.d/ -follow -type f | sort -V); do
    case "$f" in
      *.envsh) if [ -x "$f" ]; then log "$0: sourcing $f"; . "$f"; else log "$0: ignoring $f, not executable"; fi ;;
      *.sh) if [ -x "$f" ]; then log "$0: launching $f"; "$f"; else log "$0: ignoring $f, not executable"; fi ;;
      *) log "$0: ignoring $f" ;;
    esac
  done
  log "$0: configuration complete; ready for start up"
fi

exec "$@"
