// Command etcd is the etcd server, built from the published go.etcd.io/etcd/server/v3 module.
//
// etcd's own main package lives in the go.etcd.io/etcd/v3 root module, whose go.mod replaces its
// sibling modules with local paths, so `go install` cannot build it; this wrapper calls the same
// entry point that main package calls.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
