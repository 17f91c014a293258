package indexfile

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync/atomic"
	"unsafe"
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
	scratch *os.File    // the file of a scratch mapping, written by Put; nil for Map's
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
	return newMapping(data, fi, nil), nil
}

// newMapping returns the Mapping of data, mapped from the file fi, or
// from the scratch file f (then fi is nil), counted in LiveMappings and
// unmapped (and f closed) by a cleanup once unreachable.
func newMapping(data []byte, fi os.FileInfo, f *os.File) *Mapping {
	m := &Mapping{data: data, scratch: f, file: fi}
	live.Add(1)
	type held struct {
		data []byte
		f    *os.File
	}
	runtime.AddCleanup(m, func(h held) {
		unmapFile(h.data)
		if h.f != nil {
			h.f.Close()
		}
		live.Add(-1)
	}, held{data, f})
	return m
}

// Bytes returns the mapped bytes, read-only. They are valid only while m
// is reachable. A [Scratch] mapping's are written with [Mapping.Put].
func (m *Mapping) Bytes() []byte { return m.data }

// Put writes src at dst, a slice of a scratch mapping's [Mapping.Bytes]
// at least as long as src, through the mapping's file; the mapping shows
// the bytes at once. Writing through the file rather than storing into
// the mapping spares a page fault per page, each of which converts the
// file's preallocated blocks a page at a time: filling a 3 GB mapping in
// order took 9 s of system time by stores, 0.4 s by writes of a
// megabyte. Put fails for a mapping made by [Map], and for a dst outside
// m.
func (m *Mapping) Put(dst, src []byte) error {
	if m.scratch == nil {
		return errors.New("indexfile: put into a read-only mapping")
	}
	off := uintptr(unsafe.Pointer(unsafe.SliceData(dst))) - uintptr(unsafe.Pointer(unsafe.SliceData(m.data)))
	if len(dst) < len(src) || off > uintptr(len(m.data)) || uintptr(len(m.data))-off < uintptr(len(src)) {
		return fmt.Errorf("indexfile: put of %d bytes outside the scratch mapping", len(src))
	}
	if _, err := m.scratch.WriteAt(src, int64(off)); err != nil {
		return fmt.Errorf("write the scratch file: %w", err)
	}
	return nil
}

// Of reports whether m maps the file fi describes (the same file, as
// [os.SameFile] tells, not a file that replaced it); a scratch mapping
// maps no file.
func (m *Mapping) Of(fi os.FileInfo) bool { return m.file != nil && os.SameFile(m.file, fi) }

// Scratch reports whether m was made by [Scratch] rather than [Map].
func (m *Mapping) Scratch() bool { return m.scratch != nil }

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

// WillNeed tells the kernel that the given parts of m's bytes (slices of
// [Mapping.Bytes]) are about to be read, so that it starts reading those
// not in memory from disk now, all at once, instead of one page fault at
// a time as they are read. A search that reads the vectors of a few
// thousand scattered passages from a cold page cache waits for each read
// in turn otherwise: about a second on a virtual machine's disk. Parts
// outside m are ignored; pages already in memory cost a look-up. Errors
// are ignored: it is advice, and outside Linux it does nothing.
func (m *Mapping) WillNeed(parts [][]byte) {
	page := uintptr(os.Getpagesize())
	base := uintptr(unsafe.Pointer(unsafe.SliceData(m.data)))
	end := base + uintptr(len(m.data))
	spans := make([][2]uintptr, 0, len(parts))
	for _, b := range parts {
		p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		if len(b) == 0 || p < base || p >= end || uintptr(len(b)) > end-p {
			continue
		}
		spans = append(spans, [2]uintptr{(p - base) &^ (page - 1), p - base + uintptr(len(b))})
	}
	slices.SortFunc(spans, func(a, b [2]uintptr) int { return cmp.Compare(a[0], b[0]) })
	// Parts on the same or neighbouring pages are advised together: one
	// call each, not one a part.
	for i := 0; i < len(spans); {
		lo, hi := spans[i][0], spans[i][1]
		for i++; i < len(spans) && spans[i][0] <= hi+page; i++ {
			hi = max(hi, spans[i][1])
		}
		adviseWillNeed(m.data[lo:hi])
	}
}
