//go:build tools

// Package tools pins syft (the SBOM tool the `sbom` targets run) for tools/go-tools/build.sh.
package tools

import _ "github.com/anchore/syft/cmd/syft"
