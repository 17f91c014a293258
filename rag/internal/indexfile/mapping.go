package indexfile

import (
	"errors"
	"os"
	"runtime"
	"sync/atomic"
)

// ErrNoMapping is what [Map] returns where files cannot be memory-mapped;
// the caller reads the file instead.
var ErrNoMapping = errors.New("memory-mapped files are not supported here")

// A Mapping is a read-only memory map of a whole file. Its bytes stay valid
// while the Mapping is reachable: the memory is unmapped by a cleanup once
// the garbage collector finds no reference to the Mapping left, so anything
// that keeps a slice of [Mapping.Bytes] must also keep the Mapping.
//
// The mapping shares the file's pages with the page cache: they count
// towards a process's resident memory once read, but the kernel may drop
// them under memory pressure and read them again, unlike memory the
// process allocates. Replacing the file by a rename (as [WriteAtomically]
// does) leaves the mapping intact, on the old file, whose disk space is
// freed when the mapping is. Truncating a mapped file in place makes reads
// of the lost pages fault (SIGBUS), so citebot never writes its files in
// place.
type Mapping struct {
	data    []byte
	scratch bool
	file    os.FileInfo // the file mapped, for Of; nil for a scratch mapping
}

// live counts the mappings not yet unmapped.
var live atomic.Int64

// Map maps the first size bytes of f read-only. It returns [ErrNoMapping]
// where mapping is not supported (non-unix systems) and for an empty file.
func Map(f *os.File, size int64) (*Mapping, error) {
	if size <= 0 || int64(int(size)) != size {
		return nil, ErrNoMapping
	}
	data, err := mapFile(f, int(size))
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		unmapFile(data)
		return nil, err
	}
	return newMapping(data, fi), nil
}

// newMapping returns the Mapping of data, mapped from the file fi (nil for
// a scratch file), counted in LiveMappings and unmapped by a cleanup once
// unreachable.
func newMapping(data []byte, fi os.FileInfo) *Mapping {
	m := &Mapping{data: data, scratch: fi == nil, file: fi}
	live.Add(1)
	runtime.AddCleanup(m, func(b []byte) {
		unmapFile(b)
		live.Add(-1)
	}, data)
	return m
}

// Bytes returns the mapped bytes. They are valid only while m is
// reachable; a [Scratch] mapping's may be written.
func (m *Mapping) Bytes() []byte { return m.data }

// Of reports whether m maps the file fi describes (the same file, as
// [os.SameFile] tells, not a file that replaced it); a scratch mapping
// maps no file.
func (m *Mapping) Of(fi os.FileInfo) bool { return m.file != nil && os.SameFile(m.file, fi) }

// Scratch reports whether m was made by [Scratch] rather than [Map].
func (m *Mapping) Scratch() bool { return m.scratch }

// LiveMappings returns how many mappings made by [Map] and [Scratch] are not yet
// unmapped: a Mapping is unmapped some time after the garbage collector
// finds it unreachable.
func LiveMappings() int { return int(live.Load()) }

// RandomAccess tells the kernel that m will be read in no order, so that a
// page read from disk brings in that page alone rather than its
// neighbours. Under memory pressure, when the page cache cannot hold the
// whole mapping, this keeps a few scattered reads from evicting (and
// re-reading) far more than they need. Errors are ignored: it is advice.
func (m *Mapping) RandomAccess() { adviseRandom(m.data) }

// RandomAccessFrom is RandomAccess for the bytes of m from offset off (from
// the start of its memory page) to the end: an index file's vectors, which
// searches read in no order, follow its postings, which they read a list
// at a time, so read-ahead still serves the postings.
func (m *Mapping) RandomAccessFrom(off int) {
	if off < 0 || off >= len(m.data) {
		return
	}
	adviseRandom(m.data[off&^(os.Getpagesize()-1):])
}
