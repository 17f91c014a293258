//go:build linux || darwin || freebsd

package corpus

import (
	"errors"
	"os"
	"syscall"
)

// errNoMapping is what mapFile returns where files cannot be mapped.
var errNoMapping = errors.New("memory-mapped files are not supported here")

// mapFile maps the first size bytes of f read-only.
func mapFile(f *os.File, size int) ([]byte, error) {
	return syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
}

// unmapFile unmaps what mapFile mapped; nothing of it may be used after.
func unmapFile(b []byte) { syscall.Munmap(b) }
