#!/bin/sh
# The official redis image's entrypoint contract: flags or a .conf file as the
# first argument run redis-server with them; without a config file the server
# listens on every interface with protected mode off (it runs on a private
# network); started as root it drops to uid 999 after fixing /data.
set -e

case "$1" in
  -*|*.conf) set -- redis-server "$@" ;;
esac

if [ "$1" = 'redis-server' ]; then
  if [ "$(id -u)" = '0' ]; then
    find . \! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
  fi
  # Same test as the official image: a config file as the first argument, or
  # an explicit --protected-mode, leaves protected mode to the user.
  protected=1
  if [ -n "${2:-}" ] && [ -f "$2" ]; then protected=; fi
  for arg in "$@"; do case "$arg" in --protected-mode) protected= ;; esac; done
  if [ -n "$protected" ]; then set -- "$@" --protected-mode no; fi
  umask 0077
fi

exec "$@"
