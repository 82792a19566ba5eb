<?php
// Background jobs, as `php -f cron.php` runs them: reads config/config.php (which the
// app container wrote into the shared volume), records the run in the database and
// in Redis, and prints one line. Exits non-zero when either cannot be reached.
mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
$config = __DIR__ . '/config/config.php';
if (!is_file($config)) {
    fwrite(STDERR, "cron: $config is missing: the app has not configured this volume\n");
    exit(1);
}
require $config;
try {
    $db = new mysqli($CONFIG['dbhost'], $CONFIG['dbuser'], $CONFIG['dbpassword'], $CONFIG['dbname']);
    $db->query('CREATE TABLE IF NOT EXISTS oc_cron_runs (id INT AUTO_INCREMENT PRIMARY KEY, ran_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)');
    $db->query('INSERT INTO oc_cron_runs () VALUES ()');
    $rows = (int) $db->query('SELECT COUNT(*) FROM oc_cron_runs')->fetch_row()[0];
    $runs = 0;
    if (isset($CONFIG['redis'])) {
        $redis = new Redis();
        $redis->connect($CONFIG['redis']['host'], $CONFIG['redis']['port'], 5.0);
        $runs = $redis->incr('cron:runs');
    }
} catch (Throwable $e) {
    fwrite(STDERR, 'cron: ' . get_class($e) . ': ' . $e->getMessage() . "\n");
    exit(1);
}
echo "cron ran as uid " . posix_getuid() . ": database rows $rows, redis runs $runs\n";
