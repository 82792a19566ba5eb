<?php
// Upstream's status endpoint: installed once config.php exists.
header('Content-Type: application/json');
require __DIR__ . '/version.php';
echo json_encode(['installed' => is_file(__DIR__ . '/config/config.php'), 'versionstring' => $OC_VersionString]), "\n";
