//go:build unix

package rag_test

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"citebot/corpus"
	"citebot/rag"
)

// TestLoadRefusesNamedPipe: an index path that is a named pipe (with no
// writer, opening it the usual way blocks for ever) is refused at once.
func TestLoadRefusesNamedPipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index.cbi")
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	err := rag.NewIndex(rag.IndexOptions{}).Load(path)
	if !errors.Is(err, corpus.ErrNotRegular) || !strings.Contains(err.Error(), path) {
		t.Errorf("Load: got %v, want ErrNotRegular naming %s", err, path)
	}
	if err := rag.NewIndex(rag.IndexOptions{}).Load(filepath.Dir(path)); !errors.Is(err, corpus.ErrNotRegular) {
		t.Errorf("Load of a directory: got %v, want ErrNotRegular", err)
	}
}
