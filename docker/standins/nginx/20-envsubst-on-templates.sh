#!/bin/sh
# The official image's template contract, implemented for this repository:
# /etc/nginx/templates/*.template -> /etc/nginx/conf.d/*, substituting only the
# variables that are set, so nginx's own $vars survive.
set -e
dir=${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}
suffix=${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}
out=${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}
[ -d "$dir" ] || exit 0
# Only names of variables that are set, as `${NAME} ` for envsubst's SHELL-FORMAT.
defined=$(awk 'BEGIN { for (n in ENVIRON) if (n ~ /^[A-Za-z_][A-Za-z0-9_]*$/) printf "${%s} ", n }')
find "$dir" -follow -type f -name "*$suffix" -print | while read -r template; do
  rel=${template#"$dir/"}
  target="$out/${rel%"$suffix"}"
  if [ ! -w "$out" ]; then echo "$0: $out is not writable, skipping $template" >&2; continue; fi
  mkdir -p "$(dirname "$target")"
  echo "$0: running envsubst on $template to $target"
  envsubst "$defined" <"$template" >"$target"
done
