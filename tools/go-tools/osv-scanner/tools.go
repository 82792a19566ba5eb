//go:build tools

// Package tools pins osv-scanner (the vulnerability matcher the `scan` targets run) for
// tools/go-tools/build.sh.
package tools

import _ "github.com/google/osv-scanner/v2/cmd/osv-scanner"
