<?php
echo "nextcloud stand-in\n";
