//go:build tools

// Pins the buildx CLI plugin (github.com/docker/buildx/cmd/buildx) for tools/go-tools/build.sh.
package tools

import _ "github.com/docker/buildx/cmd/buildx"
