package rag_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"citebot/corpus"
	"citebot/rag"
)

// crashArticles builds a corpus large enough that saving it takes a while.
func crashArticles(n int, variant string) []corpus.Article {
	arts := make([]corpus.Article, n)
	for i := range arts {
		arts[i] = corpus.Article{
			ID:    fmt.Sprintf("a%04d", i),
			Title: fmt.Sprintf("Article %d %s", i, variant),
			Text:  strings.Repeat(fmt.Sprintf("Sentence %d of article %d about trade, talks and summits %s. ", i%7, i, variant), 40),
		}
	}
	return arts
}

// TestCrashChild is the child process of TestKillDuringSave: it saves an
// index over and over until it is killed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv("CITEBOT_CRASH_CHILD")
	if path == "" {
		t.Skip("child process only")
	}
	// Two versions, saved in turn, so that nearly all the time goes to saving.
	var versions [2]*rag.Index
	for v := range versions {
		versions[v] = rag.NewIndex(rag.IndexOptions{})
		if _, err := versions[v].Update(context.Background(), crashArticles(250, fmt.Sprint(v)), nil); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; ; i++ {
		if err := versions[i%2].Save(path); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			os.WriteFile(path+".ready", nil, 0o644)
		}
	}
}

// TestKillDuringSave kills a process at random moments while it rewrites
// its index file, and checks that what is left always loads: the previous
// or the next version, never a corrupt one. Leftover temporary files do
// not break anything.
func TestKillDuringSave(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "index.cbi")
	var torn []string
	midSave := 0
	for round := 0; round < 8; round++ {
		os.Remove(path + ".ready")
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), "CITEBOT_CRASH_CHILD="+path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			if _, err := os.Stat(path + ".ready"); err == nil {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatal("child never saved an index")
			}
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(rand.IntN(150)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if tmp, _ := filepath.Glob(path + ".tmp-*"); len(tmp) > len(torn) {
			torn = tmp // this kill interrupted a save
			midSave++
		}

		ix := rag.NewIndex(rag.IndexOptions{})
		if err := ix.Load(path); err != nil {
			t.Fatalf("round %d: index unusable after a kill: %v", round, err)
		}
		st, err := ix.Update(context.Background(), crashArticles(250, "0"), nil)
		if err != nil {
			t.Fatalf("round %d: update: %v", round, err)
		}
		// Either version's vectors are reused: variant 0 fully, variant 1
		// not at all; a mixture would mean a torn file.
		if st.Reused != 0 && st.Embedded != 0 {
			t.Errorf("round %d: reused %d and embedded %d chunks: a torn index", round, st.Reused, st.Embedded)
		}
	}
	t.Logf("%d of 8 kills interrupted a save", midSave)
	// A later save still works beside the temporary files the kills left,
	// and removes those older than an hour.
	left, _ := filepath.Glob(path + ".tmp-*")
	old := time.Now().Add(-2 * time.Hour)
	for _, f := range left {
		os.Chtimes(f, old, old)
	}
	fresh := path + ".tmp-inprogress"
	os.WriteFile(fresh, []byte("another process is saving"), 0o644)
	ix := rag.NewIndex(rag.IndexOptions{})
	ix.Update(context.Background(), crashArticles(10, "x"), nil)
	if err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	if rest, _ := filepath.Glob(path + ".tmp-*"); len(rest) != 1 || rest[0] != fresh {
		t.Errorf("temporary files after a save: %v, want only the recent %s", rest, filepath.Base(fresh))
	}
	if err := rag.NewIndex(rag.IndexOptions{}).Load(path); err != nil && !errors.Is(err, rag.ErrEmbedderChanged) {
		t.Fatal(err)
	}
}
