package corpus_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"citebot/corpus"
)

func TestSeal(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "index.cbi")
	seal := filepath.Join(dir, "index.seal")
	write(t, file, "an index file")
	stamp := func() corpus.Stamp {
		t.Helper()
		st, err := corpus.StampFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}

	// Changed within a clock tick of the stamp (as a file just written
	// is; a time ahead makes it so however slow the machine): the stamp
	// could miss a change in the same tick.
	ahead := time.Now().Add(time.Hour)
	if err := os.Chtimes(file, ahead, ahead); err != nil {
		t.Fatal(err)
	}
	if saved, err := corpus.WriteSeal(seal, stamp()); saved || err != nil {
		t.Fatalf("WriteSeal of a file just written: saved %v, %v; want not saved", saved, err)
	}
	settle(t, dir)
	st := stamp()
	if corpus.Sealed(seal, st) {
		t.Fatal("Sealed before any seal was written")
	}
	if saved, err := corpus.WriteSeal(seal, st); !saved || err != nil {
		t.Fatalf("WriteSeal: saved %v, %v; want saved", saved, err)
	}
	if !corpus.Sealed(seal, stamp()) {
		t.Fatal("Sealed = false for the file unchanged")
	}
	good, err := os.ReadFile(seal)
	if err != nil {
		t.Fatal(err)
	}

	damaged := []struct {
		name string
		b    []byte
	}{
		{"truncated", good[:len(good)-1]},
		{"extended", append(append([]byte(nil), good...), 0)},
		{"flipped", append(append([]byte(nil), good[:len(good)-1]...), good[len(good)-1]^1)},
		{"empty", nil},
	}
	for _, tt := range damaged {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(seal, tt.b, 0o600); err != nil {
				t.Fatal(err)
			}
			if corpus.Sealed(seal, st) {
				t.Errorf("Sealed = true for a %s seal", tt.name)
			}
		})
	}

	// The file changed since the seal: a new stamp, not sealed; a racy
	// stamp removes the old seal rather than keep it.
	if err := os.WriteFile(seal, good, 0o600); err != nil {
		t.Fatal(err)
	}
	write(t, file, "an index file, saved again")
	if err := os.Chtimes(file, ahead, ahead); err != nil {
		t.Fatal(err)
	}
	if corpus.Sealed(seal, stamp()) {
		t.Error("Sealed = true for a changed file")
	}
	if saved, err := corpus.WriteSeal(seal, stamp()); saved || err != nil {
		t.Fatalf("WriteSeal of a changed file just written: saved %v, %v; want not saved", saved, err)
	}
	if _, err := os.Stat(seal); !os.IsNotExist(err) {
		t.Errorf("the old seal was kept: %v", err)
	}
}

func TestSettledStamp(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "index.cbi")
	write(t, file, "an index file, just written")
	st, err := corpus.SettledStamp(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	seal := filepath.Join(dir, "index.seal")
	if saved, err := corpus.WriteSeal(seal, st); !saved || err != nil {
		t.Fatalf("WriteSeal of a settled stamp: saved %v, %v; want saved", saved, err)
	}
	if !corpus.Sealed(seal, st) {
		t.Error("Sealed = false for the settled stamp")
	}
	// A file whose time is ahead of the clock stays unsettled until then.
	ahead := time.Now().Add(time.Hour)
	if err := os.Chtimes(file, ahead, ahead); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := corpus.SettledStamp(ctx, file); !errors.Is(err, context.Canceled) {
		t.Errorf("SettledStamp with a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := corpus.SettledStamp(context.Background(), filepath.Join(dir, "none")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("SettledStamp of a missing file: %v, want fs.ErrNotExist", err)
	}
}
