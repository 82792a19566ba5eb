// The etcd server, built from its published module: upstream's own main
// (go.etcd.io/etcd/v3) lives in a module that replaces its siblings with
// local paths, so `go install` refuses it. This is the same one-line main.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
