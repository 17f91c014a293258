//go:build !linux

package indexfile

// Scratch returns [ErrNoMapping]: scratch mappings are made on Linux only
// (see the Linux version).
func Scratch(dir string, size int64) (*Mapping, error) { return nil, ErrNoMapping }
