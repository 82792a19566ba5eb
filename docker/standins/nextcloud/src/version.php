<?php
// The stand-in's version: the entrypoint copies the application when this file differs.
$OC_Version = [30, 0, 0, 0];
$OC_VersionString = '30.0.0 (stand-in)';
