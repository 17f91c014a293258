package indexfile_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

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
