//go:build tools

// Pins kube-score (github.com/zegl/kube-score); tools/go-tools/build.sh builds its main package.
package tools

import _ "github.com/zegl/kube-score/cmd/kube-score"
