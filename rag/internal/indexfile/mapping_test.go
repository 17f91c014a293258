package indexfile_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"unsafe"

	"citebot/rag/internal/indexfile"
)

// TestMapping maps a file, checks its bytes, replaces the file by a rename
// as saves do, and waits for the mapping to be released once unreachable.
func TestMapping(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	want := bytes.Repeat([]byte("citebot "), 1000)
	if err := os.WriteFile(path, want, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	before := indexfile.LiveMappings()
	m, err := indexfile.Map(f, int64(len(want)))
	f.Close()
	if errors.Is(err, indexfile.ErrNoMapping) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := indexfile.LiveMappings(); got != before+1 {
		t.Errorf("live mappings after Map: got %d, want %d", got, before+1)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Of(fi) {
		t.Error("the mapping is not of the file it maps")
	}
	if err := os.WriteFile(path+".new", []byte("other"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || m.Of(fi) {
		t.Errorf("the mapping is of the file that replaced it (%v)", err)
	}
	if !bytes.Equal(m.Bytes(), want) {
		t.Error("mapped bytes differ from the file's (or changed when it was replaced)")
	}
	runtime.KeepAlive(m)
	m = nil
	// The cleanup runs after a collection finds the mapping unreachable.
	for indexfile.LiveMappings() > before {
		runtime.GC()
		runtime.Gosched()
	}
}

func TestMapEmpty(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "empty"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := indexfile.Map(f, 0); !errors.Is(err, indexfile.ErrNoMapping) {
		t.Errorf("Map of an empty file: got %v, want ErrNoMapping", err)
	}
}

// TestWillNeed checks the ranges WillNeed advises: whole pages from the
// first part's, parts on one page or the next joined, parts outside the
// mapping and empty ones left out.
func TestWillNeed(t *testing.T) {
	page := os.Getpagesize()
	m := mapZeros(t, 8*page)
	b := m.Bytes()
	at := func(from, to int) []byte { return b[from:to] }
	var got [][2]int
	defer indexfile.AdviseWillNeedWith(func(r []byte) {
		off := int(uintptr(unsafe.Pointer(unsafe.SliceData(r))) - uintptr(unsafe.Pointer(unsafe.SliceData(b))))
		got = append(got, [2]int{off, off + len(r)})
	})()
	tests := []struct {
		name  string
		parts [][]byte
		want  [][2]int
	}{
		{"none", nil, nil},
		{"one", [][]byte{at(page+10, page+100)}, [][2]int{{page, page + 100}}},
		{"out of order, joined and apart", [][]byte{
			at(7*page, 7*page+8),
			at(5*page+100, 5*page+200), // on the page after the next part's
			at(4*page+500, 4*page+600), // on the last page of the one after
			at(page+200, page+300),     // on the page of the next
			at(page+10, page+100),
			at(3*page+page/2, 4*page+8), // across two pages
		}, [][2]int{{page, page + 300}, {3 * page, 5*page + 200}, {7 * page, 7*page + 8}}},
		{"outside or empty", [][]byte{make([]byte, 16), at(2*page, 2*page), b[8*page-4 : 8*page : 8*page]}, [][2]int{{7 * page, 8 * page}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got = nil
			m.WillNeed(tt.parts)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("advised %v; want %v", got, tt.want)
			}
		})
	}
	runtime.KeepAlive(m)
}

// mapZeros maps a new file of n zero bytes, skipping the test where files
// cannot be mapped.
func mapZeros(t *testing.T, n int) *indexfile.Mapping {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, make([]byte, n), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := indexfile.Map(f, int64(n))
	if errors.Is(err, indexfile.ErrNoMapping) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}
