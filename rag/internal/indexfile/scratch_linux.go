package indexfile

import (
	"fmt"
	"os"
	"syscall"
)

// Scratch returns a mapping of size zeroed bytes backed by a new file in
// dir, removed at once: memory for data being built (the vectors of an
// index being embedded), written with [Mapping.Put], that the kernel
// writes out to that file under memory pressure instead of holding it
// all, as it would the process's own memory, and that leaves nothing
// behind however the process ends. The mapping is read-only: a store
// into it faults. The file's blocks are allocated up front, so a full
// disk is an error here rather than later. It returns [ErrNoMapping] where
// scratch mappings are not supported (outside Linux).
func Scratch(dir string, size int64) (*Mapping, error) {
	if size <= 0 || int64(int(size)) != size {
		return nil, ErrNoMapping
	}
	f, err := os.CreateTemp(dir, ".citebot-scratch-*")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	if err := syscall.Fallocate(int(f.Fd()), 0, 0, size); err != nil {
		f.Close()
		return nil, fmt.Errorf("allocate %d bytes in %s: %w", size, dir, err)
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("map a scratch file in %s: %w", dir, err)
	}
	return newMapping(data, nil, f), nil
}
