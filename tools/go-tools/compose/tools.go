//go:build tools

// Pins the Compose v2 CLI plugin (github.com/docker/compose/v2/cmd) for tools/go-tools/build.sh.
package tools

import _ "github.com/docker/compose/v2/cmd"
