//go:build !(linux || darwin || freebsd)

package corpus

import (
	"errors"
	"os"
)

// errNoMapping is what mapFile returns where files cannot be mapped.
var errNoMapping = errors.New("memory-mapped files are not supported here")

// mapFile returns errNoMapping: see the Unix version.
func mapFile(*os.File, int) ([]byte, error) { return nil, errNoMapping }

// unmapFile does nothing here.
func unmapFile([]byte) {}
