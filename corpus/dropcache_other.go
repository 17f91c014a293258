//go:build !linux || !(amd64 || arm64)

package corpus

import "os"

// dropCache does nothing here (see the Linux version).
func dropCache(*os.File) {}
