#!/bin/sh
# The nextcloud image's entrypoint contract, as far as the stand-in needs it:
# the application is copied into the volume when the volume's version differs,
# and the first start with MYSQL_HOST set writes config/config.php.
set -eu
html=/var/www/html
if ! cmp -s /usr/src/nextcloud/version.php "$html/version.php" 2>/dev/null; then
  cp -R /usr/src/nextcloud/. "$html/"
fi
if [ -n "${MYSQL_HOST:-}" ] && [ ! -f "$html/config/config.php" ]; then
  mkdir -p "$html/config"
  php -r '
    $c = ["dbtype" => "mysql", "dbhost" => getenv("MYSQL_HOST"), "dbname" => getenv("MYSQL_DATABASE"),
          "dbuser" => getenv("MYSQL_USER"), "dbpassword" => getenv("MYSQL_PASSWORD")];
    if (getenv("REDIS_HOST")) $c["redis"] = ["host" => getenv("REDIS_HOST"), "port" => (int) (getenv("REDIS_HOST_PORT") ?: 6379)];
    file_put_contents("/var/www/html/config/config.php", "<?php\n\$CONFIG = " . var_export($c, true) . ";\n");
  '
  echo "entrypoint: wrote config/config.php for database ${MYSQL_DATABASE:-} on ${MYSQL_HOST}"
fi
exec "$@"
