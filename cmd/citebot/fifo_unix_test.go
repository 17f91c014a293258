//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// mkfifo makes a named pipe at p. Opening it for reading blocks until a
// writer comes, which none does here: a command that opens it the usual
// way hangs, so each test below finishing at all is half its check.
func mkfifo(t *testing.T, p string) string {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFIFOsNeverHang puts named pipes where citebot reads files: in the
// corpus directory, at the index path, as the articles file and as the
// configuration file.
func TestFIFOsNeverHang(t *testing.T) {
	t.Run("in the corpus directory", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "real.txt"), []byte("The city said tram fares rise in June."), 0o644)
		pipe := mkfifo(t, filepath.Join(dir, "pipe.txt"))
		mkfifo(t, filepath.Join(dir, "metadata.yaml"))
		out, errOut, code := runCLI(t, nil, "index", "--corpus", dir, "--data", t.TempDir())
		if code != 0 || !strings.Contains(out, "Indexed 1 articles") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		if !strings.Contains(errOut, pipe) || !strings.Contains(errOut, "not a regular file (a named pipe)") {
			t.Errorf("no warning naming the pipe %s: %s", pipe, errOut)
		}
	})
	t.Run("at the index path", func(t *testing.T) {
		data := t.TempDir()
		path := mkfifo(t, filepath.Join(data, "shipped.cbi"))
		out, errOut, code := runCLI(t, nil, "ask", "--data", data, "who is Denny Roy?")
		if code != 0 || !strings.Contains(out, "East-West Center") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		if !strings.Contains(errOut, "index file unusable") || !strings.Contains(errOut, "not a regular file") {
			t.Errorf("no warning about the index file: %s", errOut)
		}
		// The rebuilt index replaced the pipe.
		if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("index path after ask: %v, %v", fi, err)
		}
	})
	t.Run("as the articles file", func(t *testing.T) {
		pipe := mkfifo(t, filepath.Join(t.TempDir(), "articles.jsonl"))
		_, errOut, code := runCLI(t, nil, "index", "--articles", pipe, "--data", t.TempDir())
		if code != 1 || !strings.Contains(errOut, pipe) || !strings.Contains(errOut, "not a regular file") {
			t.Errorf("exit %d, stderr %q; want 1 and the pipe named as not a regular file", code, errOut)
		}
	})
	t.Run("as the configuration file", func(t *testing.T) {
		pipe := mkfifo(t, filepath.Join(t.TempDir(), "citebot.yaml"))
		for _, tt := range []struct {
			env  map[string]string
			args []string
		}{
			{nil, []string{"ask", "--config", pipe, "q?"}},
			{map[string]string{"CITEBOT_CONFIG": pipe}, []string{"index"}},
			{nil, []string{"config", "check", "--config", pipe}},
		} {
			_, errOut, code := runCLI(t, tt.env, tt.args...)
			if code != 1 || !strings.Contains(errOut, pipe) || !strings.Contains(errOut, "not a regular file") {
				t.Errorf("%v: exit %d, stderr %q; want 1 and the pipe named as not a regular file", tt.args, code, errOut)
			}
		}
	})
}
