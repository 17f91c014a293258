package corpus_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"

	"citebot/corpus"
)

// snapshotCorpus writes a corpus directory that loads with warnings: an
// article with front matter, one with sidecar metadata, a JSONL file with
// a bad line, a hidden file, and a sidecar entry without an article.
func snapshotCorpus(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"world/trams.md":        "---\ntitle: Trams return\nsource: City Gazette\npublished: 2024-01-02\n---\nThe city brought its trams back on Monday after a year of repairs.\n\nRiders cheered at the first stop.\n",
		"world/budget.txt":      "Budget passes\n\nThe council passed the budget on Tuesday by seven votes to two.\n",
		"world/metadata.yaml":   "budget:\n  source: Council News\n  published: 2024-02-03\n  approximate: true\nmissing:\n  title: No such article\n",
		"feed.jsonl":            `{"id":"f1","title":"Bridge opens","published":"2024-03-04","url":"https://example.com/b","author":"A. Writer","text":"The new bridge opened to traffic on Wednesday."}` + "\n{not json}\n",
		".hidden/ignored.md":    "never read",
		"world/.draft.md":       "never read either",
		"world/empty-title.txt": "A short article without a headline line, about the harbour's new crane, which arrived on Friday.\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	settle(t, dir)
	return dir
}

// settle sets the modification times under dir an hour back and waits
// until their change times (which cannot be set) are over 100 ms old, so
// that a stamp taken now may be saved (see corpus.WriteSnapshot).
func settle(t testing.TB, dir string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	var newest time.Time
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := os.Chtimes(p, old, old); err != nil {
			return err
		}
		newest = time.Now()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for time.Since(newest) <= 150*time.Millisecond {
		time.Sleep(10 * time.Millisecond)
	}
}

// loadAndSave loads dir, stamped first, and saves its snapshot to path.
func loadAndSave(t testing.TB, dir, path string) ([]corpus.Article, []error) {
	t.Helper()
	st, err := corpus.StampDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	arts, warns, err := corpus.LoadPath(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := corpus.WriteSnapshot(path, st, corpus.Snapshot{Articles: arts, Warnings: warns})
	if err != nil || !saved {
		t.Fatalf("WriteSnapshot: saved %v, %v; want saved", saved, err)
	}
	return arts, warns
}

func messages(errs []error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func TestSnapshotRoundTrip(t *testing.T) {
	dir := snapshotCorpus(t)
	path := filepath.Join(t.TempDir(), "c.corpus")
	want, wantWarns := loadAndSave(t, dir, path)
	if len(want) != 4 || len(wantWarns) < 2 {
		t.Fatalf("the test corpus loaded %d articles and %d warnings; want 4 and at least 2", len(want), len(wantWarns))
	}
	st, err := corpus.StampDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, rd := range snapshotReaders {
		t.Run(rd.name, func(t *testing.T) {
			snap, err := rd.read(context.Background(), path, st)
			if err != nil {
				t.Fatal(err)
			}
			got, gotWarns := snap.Articles, snap.Warnings
			if !reflect.DeepEqual(got, want) {
				t.Errorf("articles from the snapshot:\n got %+v\nwant %+v", got, want)
			}
			if g, w := snap.Hashes, corpus.HashAll(want); !reflect.DeepEqual(g, w) {
				t.Errorf("hashes from the snapshot:\n got %q\nwant %q", g, w)
			}
			if g, w := messages(gotWarns), messages(wantWarns); !reflect.DeepEqual(g, w) {
				t.Errorf("warnings from the snapshot:\n got %q\nwant %q", g, w)
			}
			for _, w := range gotWarns {
				var fe *corpus.FileError
				if !errors.As(w, &fe) || fe.Path == "" {
					t.Errorf("warning %q is not a FileError naming its file", w)
				}
			}
		})
	}
}

// snapshotReaders are the two ways to read a snapshot, which must agree.
// A snapshot MapSnapshot read stays mapped: its file is not written again.
var snapshotReaders = []struct {
	name string
	read func(context.Context, string, corpus.Stamp) (corpus.Snapshot, error)
}{{"read", corpus.ReadSnapshot}, {"mapped", corpus.MapSnapshot}}

// TestSnapshotStale checks that every change a load could see makes the
// snapshot stale, and that what a load cannot see (hidden files) does not.
func TestSnapshotStale(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, dir string)
		stale  bool
	}{
		{"nothing", func(*testing.T, string) {}, false},
		{"a hidden file added", func(t *testing.T, dir string) { write(t, filepath.Join(dir, ".notes.md"), "x") }, false},
		{"a file rewritten at the same size", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "world/budget.txt"), "Budget failed\n\nThe council passed the budget on Tuesday by seven votes to two.\n")
		}, true},
		{"a file's time set back to its old one", func(t *testing.T, dir string) {
			if runtime.GOOS != "linux" {
				t.Skip("only Linux stamps change times")
			}
			p := filepath.Join(dir, "world/budget.txt")
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			write(t, p, "Budget failed\n\nThe council passed the budget on Tuesday by seven votes to two.\n")
			if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"a file added", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "world/new.txt"), "New article\n\nSomething happened.\n")
		}, true},
		{"a file removed", func(t *testing.T, dir string) { remove(t, filepath.Join(dir, "world/budget.txt")) }, true},
		{"the sidecar changed", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "world/metadata.yaml"), "budget:\n  source: Council News\n")
		}, true},
		{"a file renamed", func(t *testing.T, dir string) {
			if err := os.Rename(filepath.Join(dir, "world/budget.txt"), filepath.Join(dir, "world/budget2.txt")); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := snapshotCorpus(t)
			path := filepath.Join(t.TempDir(), "c.corpus")
			loadAndSave(t, dir, path)
			tt.change(t, dir)
			st, err := corpus.StampDir(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			_, err = corpus.ReadSnapshot(context.Background(), path, st)
			if got := errors.Is(err, corpus.ErrStale); got != tt.stale || (!tt.stale && err != nil) {
				t.Errorf("ReadSnapshot after %s: %v; want stale %v", tt.name, err, tt.stale)
			}
		})
	}
}

func TestSnapshotFile(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "a.jsonl")
	write(t, src, `{"id":"n1","published":"2024-01-02","title":"Trams return","text":"The city brought its trams back on Monday."}`+"\n")
	path := filepath.Join(dir, "a.corpus")

	// Just written (a time ahead makes it so however slow the machine):
	// its stamp could miss a change in the same clock tick.
	ahead := time.Now().Add(time.Hour)
	if err := os.Chtimes(src, ahead, ahead); err != nil {
		t.Fatal(err)
	}
	st, err := corpus.StampFile(src)
	if err != nil {
		t.Fatal(err)
	}
	arts, warns, err := corpus.LoadJSONLFile(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if saved, err := corpus.WriteSnapshot(path, st, corpus.Snapshot{Articles: arts, Warnings: warns}); saved || err != nil {
		t.Errorf("WriteSnapshot of a file just written: saved %v, %v; want not saved", saved, err)
	}

	settle(t, dir)
	// A temporary file an hour old is left by a write that died, and is
	// removed; a newer one may be another process's write, and stays.
	stale, current := path+".tmp-1", path+".tmp-2"
	write(t, stale, "half a snapshot")
	write(t, current, "a snapshot being written")
	if err := os.Chtimes(stale, time.Now().Add(-2*time.Hour), time.Now().Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if st, err = corpus.StampFile(src); err != nil {
		t.Fatal(err)
	}
	if saved, err := corpus.WriteSnapshot(path, st, corpus.Snapshot{Articles: arts, Warnings: warns}); !saved || err != nil {
		t.Fatalf("WriteSnapshot: saved %v, %v; want saved", saved, err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale temporary file: %v; want it removed", err)
	}
	if _, err := os.Stat(current); err != nil {
		t.Errorf("recent temporary file: %v; want it kept", err)
	}
	got, err := corpus.ReadSnapshot(context.Background(), path, st)
	if err != nil || !reflect.DeepEqual(got.Articles, arts) {
		t.Errorf("ReadSnapshot: %v, %+v; want %+v", err, got.Articles, arts)
	}
	if _, err := corpus.StampFile(filepath.Join(dir, "missing.jsonl")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("StampFile of a missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestSnapshotDamaged(t *testing.T) {
	dir := snapshotCorpus(t)
	path := filepath.Join(t.TempDir(), "c.corpus")
	loadAndSave(t, dir, path)
	st, err := corpus.StampDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, b []byte, want error) {
		t.Helper()
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, rd := range snapshotReaders {
			snap, err := rd.read(context.Background(), path, st)
			if !errors.Is(err, want) || snap.Articles != nil || snap.Hashes != nil {
				t.Errorf("%s: got %d articles, %v; want none, %v", rd.name, len(snap.Articles), err, want)
			}
		}
	}
	t.Run("truncated", func(t *testing.T) {
		for n := 0; n < len(good); n += 7 {
			check(t, good[:n], corpus.ErrCorruptSnapshot)
		}
	})
	t.Run("flipped", func(t *testing.T) {
		for i := len(good) - 1; i >= 60; i -= 5 { // past the stamp
			b := append([]byte(nil), good...)
			b[i] ^= 0x20
			check(t, b, corpus.ErrCorruptSnapshot)
		}
	})
	t.Run("not a snapshot", func(t *testing.T) {
		check(t, []byte("hello, world\n"), corpus.ErrCorruptSnapshot)
	})
	t.Run("missing", func(t *testing.T) {
		for _, rd := range snapshotReaders {
			if _, err := rd.read(context.Background(), filepath.Join(dir, "none"), st); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s: got %v, want fs.ErrNotExist", rd.name, err)
			}
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		if err := os.WriteFile(path, good, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for _, rd := range snapshotReaders {
			if _, err := rd.read(ctx, path, st); !errors.Is(err, context.Canceled) {
				t.Errorf("%s: got %v, want context.Canceled", rd.name, err)
			}
		}
	})
}

func write(t *testing.T, p, body string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, p string) {
	t.Helper()
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
}

// FuzzDecodeSnapshot decodes arbitrary snapshot bodies (what follows the
// magic, once the checksum matched): an error or articles, never a panic
// or an allocation beyond the body's size.
func FuzzDecodeSnapshot(f *testing.F) {
	dir := snapshotCorpus(f)
	path := filepath.Join(f.TempDir(), "c.corpus")
	loadAndSave(f, dir, path)
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b[len(corpus.SnapshotMagic) : len(b)-4]))
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		snap, err := corpus.DecodeSnapshot(body)
		arts := snap.Articles
		if err != nil && (arts != nil || snap.Hashes != nil || snap.Warnings != nil) {
			t.Errorf("error %v with %d articles and %d warnings", err, len(arts), len(snap.Warnings))
		}
		if err == nil && (len(arts) > len(body) || len(snap.Hashes) != len(arts)) {
			t.Errorf("%d articles and %d hashes from %d bytes", len(arts), len(snap.Hashes), len(body))
		}
	})
}
