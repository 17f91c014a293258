//go:build unix

package indexfile

import (
	"fmt"
	"os"
	"syscall"
)

func mapFile(f *os.File, size int) ([]byte, error) {
	data, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", f.Name(), err)
	}
	return data, nil
}

func unmapFile(b []byte) { syscall.Munmap(b) }
