//go:build tools

// Pins Trivy (github.com/aquasecurity/trivy); tools/go-tools/build.sh builds its main package.
// `trivy config --skip-check-update` runs the misconfiguration checks embedded in the binary.
package tools

import _ "github.com/aquasecurity/trivy/cmd/trivy"
