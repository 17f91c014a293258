//go:build unix

package corpus_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"citebot/corpus"
)

// writeFiles creates the files of m (path → content) under dir.
func writeFiles(t *testing.T, dir string, m map[string]string) {
	t.Helper()
	for p, content := range m {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// symlink makes link point at target.
func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// warningsByPath maps the path of every *FileError warning to it.
func warningsByPath(t *testing.T, warns []error) map[string]*corpus.FileError {
	t.Helper()
	m := map[string]*corpus.FileError{}
	for _, w := range warns {
		var fe *corpus.FileError
		if !errors.As(w, &fe) {
			t.Errorf("warning %v is not a *FileError", w)
			continue
		}
		m[fe.Path] = fe
	}
	return m
}

func articleIDs(arts []corpus.Article) string {
	var ids []string
	for _, a := range arts {
		ids = append(ids, a.ID)
	}
	return strings.Join(ids, ",")
}

// TestLoadPathConfinedToRoot plants symbolic links that lead out of the
// corpus directory (to a file, to a directory, through a link chain, via
// an absolute and a relative target) and others that stay inside it: no
// byte of an outside file may be loaded, and every link out is named in a
// warning.
func TestLoadPathConfinedToRoot(t *testing.T) {
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	writeFiles(t, outside, map[string]string{
		"citebot.yaml": "discord:\n  token: SECRET-TOKEN-OUTSIDE\n",
		"shadow.txt":   "root:SECRET-SHADOW-OUTSIDE:19000:0:99999:7:::",
		"dir/a.txt":    "SECRET-IN-LINKED-DIR outside the corpus.",
	})
	root := filepath.Join(base, "corpus")
	writeFiles(t, root, map[string]string{
		"real.txt":      "A real article that loads.",
		"sub/inner.txt": "An article in a sub-directory.",
	})
	symlink(t, filepath.Join(outside, "citebot.yaml"), filepath.Join(root, "leak.txt"))
	symlink(t, "../outside/shadow.txt", filepath.Join(root, "shadow.txt"))
	symlink(t, filepath.Join(root, "leak.txt"), filepath.Join(root, "chain.md"))             // a link to a link out
	symlink(t, filepath.Join(outside, "dir"), filepath.Join(root, "linkeddir"))              // a directory out
	symlink(t, filepath.Join(outside, "citebot.yaml"), filepath.Join(root, "metadata.yaml")) // a sidecar out
	symlink(t, "real.txt", filepath.Join(root, "alias.txt"))                                 // a file inside: read
	symlink(t, "sub", filepath.Join(root, "subalias"))                                       // a directory inside: allowed, not descended
	symlink(t, "loop2.txt", filepath.Join(root, "loop1.txt"))                                // a loop
	symlink(t, "loop1.txt", filepath.Join(root, "loop2.txt"))
	symlink(t, ".", filepath.Join(root, "self")) // a directory loop

	arts, warns, err := corpus.LoadPath(context.Background(), root)
	if err != nil {
		t.Fatalf("LoadPath: %v", err)
	}
	if got, want := articleIDs(arts), "alias,real,sub/inner"; got != want {
		t.Errorf("articles: got %s, want %s", got, want)
	}
	for _, a := range arts {
		if strings.Contains(a.Text+a.Title, "SECRET") {
			t.Errorf("article %s holds text from outside the corpus: %q", a.ID, a.Text)
		}
	}
	byPath := warningsByPath(t, warns)
	for _, p := range []string{"leak.txt", "shadow.txt", "chain.md", "metadata.yaml"} {
		w, ok := byPath[p]
		if !ok {
			t.Errorf("no warning for %s; warnings: %v", p, warns)
			continue
		}
		if !errors.Is(w, corpus.ErrOutsideRoot) {
			t.Errorf("%s: got %v, want ErrOutsideRoot", p, w)
		}
	}
	for _, p := range []string{"loop1.txt", "loop2.txt"} {
		if _, ok := byPath[p]; !ok {
			t.Errorf("no warning for the link loop %s; warnings: %v", p, warns)
		}
	}
	if len(warns) != 6 {
		t.Errorf("got %d warnings, want 6: %v", len(warns), warns)
	}
	for _, w := range warns {
		if strings.Contains(w.Error(), "SECRET") {
			t.Errorf("warning shows outside content: %v", w)
		}
	}
}

// TestLoadPathSkipsSpecialFiles puts named pipes (one with an article's
// extension, one behind a link, one as the sidecar and one as a .jsonl
// file) and a socket in a corpus directory. Opening a pipe with no writer
// blocks for ever, so the load returning at all is half of the test; each
// special file must be named in a warning and the real article load.
func TestLoadPathSkipsSpecialFiles(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"a.txt": "The article that loads.", "sub/b.txt": "Another article."})
	for _, p := range []string{"pipe.txt", "sub/metadata.yaml", "feed.jsonl", "hidden-target"} {
		if err := syscall.Mkfifo(filepath.Join(root, filepath.FromSlash(p)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	symlink(t, "hidden-target", filepath.Join(root, "link.md"))
	// A socket; its path must be short, so it lives in the working directory.
	sockDir, err := os.MkdirTemp("", "cb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	l, err := net.Listen("unix", filepath.Join(sockDir, "s.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	symlink(t, sockDir, filepath.Join(root, "socks")) // not descended into: a linked directory
	if err := os.Rename(filepath.Join(sockDir, "s.txt"), filepath.Join(root, "sock.txt")); err != nil {
		t.Fatal(err)
	}

	arts, warns, err := corpus.LoadPath(context.Background(), root)
	if err != nil {
		t.Fatalf("LoadPath: %v", err)
	}
	if got, want := articleIDs(arts), "a,sub/b"; got != want {
		t.Errorf("articles: got %s, want %s", got, want)
	}
	byPath := warningsByPath(t, warns)
	want := map[string]string{
		"pipe.txt": "named pipe", "sub/metadata.yaml": "named pipe", "feed.jsonl": "named pipe",
		"hidden-target": "named pipe", "link.md": "named pipe", "sock.txt": "socket",
	}
	for p, kind := range want {
		w, ok := byPath[p]
		if !ok {
			t.Errorf("no warning for %s; warnings: %v", p, warns)
			continue
		}
		if !errors.Is(w, corpus.ErrNotRegular) || !strings.Contains(w.Error(), kind) || !strings.Contains(w.Error(), p) {
			t.Errorf("%s: got %q, want ErrNotRegular naming the file and %q", p, w, kind)
		}
	}
	if len(warns) != len(want) {
		t.Errorf("got %d warnings, want %d: %v", len(warns), len(want), warns)
	}
}

// TestLoadJSONLFileRefusesPipe: an articles file that is a named pipe is
// refused at once instead of blocking.
func TestLoadJSONLFileRefusesPipe(t *testing.T) {
	p := filepath.Join(t.TempDir(), "articles.jsonl")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := corpus.LoadJSONLFile(context.Background(), p)
	if !errors.Is(err, corpus.ErrNotRegular) || !strings.Contains(err.Error(), p) {
		t.Errorf("got %v, want ErrNotRegular naming %s", err, p)
	}
	if _, err := corpus.OpenRegular(filepath.Dir(p)); !errors.Is(err, corpus.ErrNotRegular) {
		t.Errorf("OpenRegular of a directory: got %v, want ErrNotRegular", err)
	}
}

// TestLoadCancelled: a load whose context has ended stops with the
// context's error instead of reading on.
func TestLoadCancelled(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{}
	for i := range 50 {
		files[filepath.Join("d", string(rune('a'+i%26))+strings.Repeat("x", i/26)+".txt")] = "Some article text."
	}
	lines := strings.Repeat(`{"id":"x","text":"t"}`+"\n", 10)
	files["articles.jsonl"] = lines
	writeFiles(t, root, files)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	arts, _, err := corpus.LoadPath(ctx, root)
	if !errors.Is(err, context.Canceled) || len(arts) != 0 {
		t.Errorf("LoadPath with an ended context: %d articles, error %v; want none and context.Canceled", len(arts), err)
	}
	arts, _, err = corpus.LoadJSONLFile(ctx, filepath.Join(root, "articles.jsonl"))
	if !errors.Is(err, context.Canceled) || len(arts) != 0 {
		t.Errorf("LoadJSONLFile with an ended context: %d articles, error %v; want none and context.Canceled", len(arts), err)
	}
	// Not cancelled, the same directory loads.
	arts, _, err = corpus.LoadPath(context.Background(), root)
	if err != nil || !slices.ContainsFunc(arts, func(a corpus.Article) bool { return a.ID == "d/a" }) {
		t.Errorf("LoadPath: %d articles, %v", len(arts), err)
	}
}
