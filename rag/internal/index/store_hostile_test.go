package index_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"citebot/rag/internal/index"
)

// hugeSize is the size of the sparse files below: several GiB that take
// no disk space.
const hugeSize = 3 << 30

// allocLimit is the most a rejected load of a huge file may allocate: far
// below its size.
const allocLimit = 64 << 20

// indexPrefix is the fixed start of an index file: magic, version and
// header length.
func indexPrefix(version uint32, headerLen uint64) []byte {
	b := []byte("citebot-index\n")
	b = binary.LittleEndian.AppendUint32(b, version)
	return binary.LittleEndian.AppendUint64(b, headerLen)
}

// sparseFile writes head at the start of path and extends the file with
// zeros (a hole) to size bytes.
func sparseFile(t *testing.T, path string, head []byte, size int64) {
	t.Helper()
	if err := os.WriteFile(path, head, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

// TestLoadHugeCorruptFile: corrupt index files of several GiB (sparse, so
// they cost no disk) are rejected as corrupt without allocating anything
// near their size: declared sizes are checked against the file's size
// before anything big is read, and the checksum is streamed before any
// section is allocated. Measured with runtime.MemStats, not a clock.
func TestLoadHugeCorruptFile(t *testing.T) {
	dir := t.TempDir()
	ix := newIndex(t, shipped(t))
	valid := filepath.Join(dir, "valid.cbi")
	if err := ix.Save(valid); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(valid)
	if err != nil {
		t.Fatal(err)
	}
	hlen := binary.LittleEndian.Uint64(good[18:26])
	var hdr map[string]any
	if err := json.Unmarshal(good[26:26+hlen], &hdr); err != nil {
		t.Fatal(err)
	}

	// A header that adds up: one article of n chunks of 1024 dimensions,
	// whose vectors fill 1 GiB. Only the checksum can tell it is bad, and
	// it takes reading the whole file (the others are rejected before).
	const dim = 1024
	n := (1<<30 - (1 << 20)) / (dim * 4)
	arts := binary.AppendUvarint(nil, 1)
	arts = append(arts, 'a')
	arts = binary.AppendUvarint(arts, 1)
	arts = append(arts, 'h')
	arts = binary.AppendUvarint(arts, uint64(n))
	for range n {
		arts = binary.AppendUvarint(binary.AppendUvarint(arts, 0), 1)
	}
	terms := make([]byte, n) // a zero count per chunk
	hdr["dim"], hdr["chunks"], hdr["articles"], hdr["terms"], hdr["postings"], hdr["shards"] = dim, n, 1, 0, 0, 1
	hdr["tokenizer"] = "another"
	hdr["sections"] = []int{len(arts), 0, len(terms)}
	js, err := json.Marshal(hdr)
	if err != nil {
		t.Fatal(err)
	}
	consistent := append(indexPrefix(2, uint64(len(js))), js...)
	consistent = append(append(consistent, arts...), terms...)
	meta := len(consistent)
	consistentSize := int64(meta + (8-meta%8)%8 + n*dim*4 + 4)

	tests := []struct {
		name string
		make func(path string)
	}{
		{"valid index extended with zeros", func(p string) { sparseFile(t, p, good, hugeSize) }},
		{"version 1 prefix, then zeros", func(p string) { sparseFile(t, p, indexPrefix(1, 0), hugeSize) }},
		{"version 1 header as long as the file", func(p string) { sparseFile(t, p, indexPrefix(1, hugeSize-30), hugeSize) }},
		{"version 2 header as long as the file", func(p string) { sparseFile(t, p, indexPrefix(2, hugeSize-30), hugeSize) }},
		{"version 2 header that adds up, vectors of zeros", func(p string) { sparseFile(t, p, consistent, consistentSize) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "huge.cbi")
			tt.make(path)
			defer os.Remove(path)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err := index.NewIndex(index.IndexOptions{}).Load(path)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, index.ErrCorruptIndex) {
				t.Errorf("Load: got %v, want ErrCorruptIndex", err)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > allocLimit {
				fi, _ := os.Stat(path)
				t.Errorf("Load allocated %d MiB for a %d MiB file, want under %d MiB", grew>>20, fi.Size()>>20, allocLimit>>20)
			}
		})
	}
}

// countdownCtx is a context whose Err is nil for its first n calls and
// context.Canceled after: it ends at a chosen point of a load, with no
// clock involved.
type countdownCtx struct {
	context.Context
	n *int
}

func (c countdownCtx) Err() error {
	if *c.n <= 0 {
		return context.Canceled
	}
	*c.n--
	return nil
}

// TestLoadContextCancelled ends the context of a load at every point it
// checks it, from before the first read to the last: the load stops with
// context.Canceled, leaves the index empty (the next update embeds all),
// or, with enough checks allowed, completes.
func TestLoadContextCancelled(t *testing.T) {
	arts := index.SampleArticles(200, 41)
	ix := newIndex(t, arts)
	path := saveTemp(t, ix)
	for checks := 0; ; checks++ {
		n := checks
		got := index.NewIndex(index.IndexOptions{})
		err := got.LoadContext(countdownCtx{context.Background(), &n}, path)
		if err == nil {
			if checks < 2 {
				t.Fatalf("the load completed checking its context only %d times", checks)
			}
			break
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled after %d checks: got %v, want context.Canceled", checks, err)
		}
		st, err := got.Update(context.Background(), arts, nil)
		if err != nil || st.Embedded != ix.Len() {
			t.Fatalf("cancelled after %d checks: the update after it embedded %d of %d chunks (%v)", checks, st.Embedded, ix.Len(), err)
		}
	}
}
