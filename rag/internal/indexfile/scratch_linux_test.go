package indexfile_test

import (
	"bytes"
	"os"
	"testing"

	"citebot/rag/internal/indexfile"
)

// TestScratchPut writes a scratch mapping through its file, and checks
// that the mapping shows the bytes at once and that a put outside the
// mapping, or into a file's read-only mapping, fails.
func TestScratchPut(t *testing.T) {
	const size = 3 << 20
	m, err := indexfile.Scratch(t.TempDir(), size)
	if err != nil {
		t.Fatal(err)
	}
	data := m.Bytes()
	if len(data) != size || !m.Scratch() {
		t.Fatalf("scratch mapping: %d bytes, scratch %v; want %d, true", len(data), m.Scratch(), size)
	}
	tests := []struct {
		name    string
		at, n   int
		wantErr bool
	}{
		{"start", 0, 100, false},
		{"a page boundary", 4096 - 7, 4096 + 20, false},
		{"the end", size - 1000, 1000, false},
		{"past the end", size - 10, 20, true},
		{"longer than its place", 100, 0, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := bytes.Repeat([]byte{byte(i + 1)}, max(tt.n, 10))
			dst := data[tt.at:min(size, tt.at+tt.n)]
			before := bytes.Clone(data)
			err := m.Put(dst, src)
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("Put: got error %v, want an error: %v", err, tt.wantErr)
			}
			want := before
			if !tt.wantErr {
				copy(want[tt.at:], src)
			}
			if !bytes.Equal(data, want) {
				t.Errorf("mapping after Put: differs from what was written")
			}
		})
	}
	t.Run("another slice", func(t *testing.T) {
		if err := m.Put(make([]byte, 10), []byte("outside")); err == nil {
			t.Error("Put at memory outside the mapping: got no error")
		}
	})

	t.Run("a file's mapping", func(t *testing.T) {
		f, err := os.CreateTemp(t.TempDir(), "f")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.Write(bytes.Repeat([]byte("x"), 4096)); err != nil {
			t.Fatal(err)
		}
		fm, err := indexfile.Map(f, 4096)
		if err != nil {
			t.Fatal(err)
		}
		if err := fm.Put(fm.Bytes()[:4], []byte("abcd")); err == nil {
			t.Error("Put into a file's read-only mapping: got no error")
		}
		if got := string(fm.Bytes()[:4]); got != "xxxx" {
			t.Errorf("file mapping after a refused Put: got %q, want %q", got, "xxxx")
		}
	})
}
