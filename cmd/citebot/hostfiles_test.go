package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// outsideSecrets are planted in files outside a corpus directory: none may
// reach what citebot prints.
var outsideSecrets = []string{"SECRET-TOKEN-OUTSIDE-0123456789", "SECRET-SHADOW-OUTSIDE-0123456789"}

// TestCorpusLinksOutsideAreNotRead plants links to a configuration file
// and a shadow file outside the corpus directory, as a hostile or careless
// corpus might: index, search and ask must not read them, and each is
// named in a warning.
func TestCorpusLinksOutsideAreNotRead(t *testing.T) {
	base := t.TempDir()
	secret := filepath.Join(base, "citebot.yaml")
	os.WriteFile(secret, []byte("discord:\n  token: "+outsideSecrets[0]+"\n"), 0o600)
	shadow := filepath.Join(base, "shadow")
	os.WriteFile(shadow, []byte("root:"+outsideSecrets[1]+":19000:0:99999:7:::\n"), 0o600)
	dir := filepath.Join(base, "corpus")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "real.md"), []byte("---\ntitle: Tram fares\npublished: 2024-05-01\n---\nThe city said tram fares rise in June. The root of the problem is cost.\n"), 0o644)
	os.Symlink(secret, filepath.Join(dir, "leak.txt"))
	os.Symlink("../shadow", filepath.Join(dir, "shadow.txt"))
	data := t.TempDir()

	for _, args := range [][]string{
		{"index", "--corpus", dir, "--data", data, "--log-level", "warn"},
		{"search", "--corpus", dir, "--data", data, "root"},
		{"search", "--corpus", dir, "--data", data, "discord token"},
		{"ask", "--corpus", dir, "--data", data, "what is the discord token?"},
		{"ask", "--corpus", dir, "--data", data, "--json", "what is root?"},
	} {
		t.Run(args[0]+" "+args[len(args)-1], func(t *testing.T) {
			out, errOut, code := runCLI(t, nil, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, s := range outsideSecrets {
				if strings.Contains(out, s) || strings.Contains(errOut, s) {
					t.Errorf("a file outside the corpus was read:\nstdout: %s\nstderr: %s", out, errOut)
				}
			}
			for _, name := range []string{"leak.txt", "shadow.txt"} {
				if !strings.Contains(errOut, filepath.Join(dir, name)) || !strings.Contains(errOut, "outside the corpus directory") {
					t.Errorf("no warning naming %s as leading outside the corpus: %s", name, errOut)
				}
			}
		})
	}
}

// TestIndexNotSaved: when the index cannot be written (here its path is a
// directory, which no write permission of root gets past), index exits 1
// with the reason and never prints "Indexed"; ask still answers from memory
// with a warning.
func TestIndexNotSaved(t *testing.T) {
	data := t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "shipped.cbi", "in-the-way"), 0o755); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, nil, "index", "--data", data)
	if code != 1 {
		t.Errorf("index: exit %d, want 1", code)
	}
	if strings.Contains(out, "Indexed") {
		t.Errorf("index printed a summary although nothing was saved: %q", out)
	}
	if want := "citebot: index not saved to " + filepath.Join(data, "shipped.cbi"); !strings.Contains(errOut, want) {
		t.Errorf("stderr %q, want it to contain %q and the reason", errOut, want)
	}

	out, errOut, code = runCLI(t, nil, "ask", "--data", data, "who is Denny Roy?")
	if code != 0 || !strings.Contains(out, "East-West Center") {
		t.Errorf("ask: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if !strings.Contains(errOut, "could not save the index") {
		t.Errorf("ask: no warning that the index was not saved: %q", errOut)
	}
}

// TestIndexReportsUndated: index says how many articles have no
// publication date, names the first few and says how to date them.
func TestIndexReportsUndated(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "dated.md"), []byte("---\npublished: 2024-05-01\n---\nThe minister opened the bridge on Monday.\n"), 0o644)
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		os.WriteFile(filepath.Join(dir, id+".txt"), []byte("An article about trams with no date at all, number "+id+".\n"), 0o644)
	}
	out, errOut, code := runCLI(t, nil, "index", "--corpus", dir, "--data", t.TempDir())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"7 articles have no publication date", "a, b, c, d, e, …", "published: YYYY-MM-DD", "metadata.yaml"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "(dated") || strings.Contains(out, " dated,") {
		t.Errorf("a dated article is listed as undated:\n%s", out)
	}

	// JSONL articles are dated with their "published" field.
	arts := filepath.Join(t.TempDir(), "a.jsonl")
	os.WriteFile(arts, []byte(`{"id":"n1","text":"No date here."}`+"\n"+`{"id":"d1","published":"2024-01-02","text":"Dated."}`+"\n"), 0o644)
	out, errOut, code = runCLI(t, nil, "index", "--articles", arts, "--data", t.TempDir())
	if code != 0 || !strings.Contains(out, "1 article has no publication date (n1)") || !strings.Contains(out, `"published": "YYYY-MM-DD"`) {
		t.Errorf("JSONL: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	// The shipped corpus is dated throughout: no report.
	out, _, _ = runCLI(t, nil, "index", "--data", t.TempDir())
	if strings.Contains(out, "no publication date") {
		t.Errorf("shipped corpus reported as undated:\n%s", out)
	}
}

// TestConfigCheckRedactsURLCredentials: a base URL with credentials in its
// userinfo or query is printed, and reported when invalid, without them.
func TestConfigCheckRedactsURLCredentials(t *testing.T) {
	leaks := []string{"pa55word", "user:", "api_key=x", "tok3n", "s3cret"}
	check := func(t *testing.T, texts ...string) {
		t.Helper()
		for _, text := range texts {
			for _, l := range leaks {
				if strings.Contains(text, l) {
					t.Errorf("%q printed:\n%s", l, text)
				}
			}
		}
	}
	env := map[string]string{"OPENAI_BASE_URL": "http://user:pa55word@host/v1?api_key=x&model=m&Access_Token=tok3n&X-Amz-Signature=s3cret"}
	out, errOut, err := configCheck(t, env, "--data", t.TempDir())
	if err != nil {
		t.Fatalf("config check: %v\n%s", err, errOut)
	}
	check(t, out, errOut)
	if want := "base_url: http://redacted@host/v1?api_key=redacted&model=m&Access_Token=redacted&X-Amz-Signature=redacted # env OPENAI_BASE_URL"; !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}

	env = map[string]string{"OPENAI_BASE_URL": "ftp://user:pa55word@host/v1?api_key=x"}
	out, errOut, err = configCheck(t, env, "--data", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "openai.base_url") {
		t.Fatalf("got %v, want an invalid base URL", err)
	}
	check(t, out, errOut, err.Error())
	_, errOut, code := runCLI(t, env, "ask", "--data", t.TempDir(), "q?")
	if code != 1 {
		t.Errorf("ask with an invalid base URL: exit %d", code)
	}
	check(t, errOut)
}

// TestConfigFilePermissionWarning: a configuration file holding a secret
// that group or others may read gets one warning naming the file and the
// fix, as ssh warns about a private key; a private file, or an open one
// without secrets, gets none.
func TestConfigFilePermissionWarning(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, content string
		mode          os.FileMode
		warn          bool
	}{
		{"token-0644.yaml", "discord:\n  token: " + fileToken + "\n", 0o644, true},
		{"key-0640.yaml", "openai:\n  api_key: " + fileKey + "\n", 0o640, true},
		{"key-0604.yaml", "openai:\n  api_key: " + fileKey + "\n", 0o604, true},
		{"token-0600.yaml", "discord:\n  token: " + fileToken + "\n", 0o600, false},
		{"token-0400.yaml", "discord:\n  token: " + fileToken + "\n", 0o400, false},
		{"plain-0644.yaml", "top_k: 7\n", 0o644, false},
		{"empty-token-0644.yaml", "discord:\n  token: \"\"\n", 0o644, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(tt.name, tt.content, tt.mode)
			for _, args := range [][]string{
				{"config", "check", "--config", p, "--data", dir},
				{"search", "--config", p, "--data", dir, "tram"},
			} {
				out, errOut, _ := runCLI(t, nil, args...)
				noSecrets(t, out, errOut)
				n := strings.Count(errOut, "chmod 600 "+p)
				if tt.warn && (n != 1 || !strings.Contains(errOut, "level=WARN")) {
					t.Errorf("%s: %d warnings naming %q, want 1:\n%s", args[0], n, "chmod 600 "+p, errOut)
				}
				if !tt.warn && strings.Contains(errOut, "chmod") {
					t.Errorf("%s: unexpected warning:\n%s", args[0], errOut)
				}
			}
		})
	}
}

// TestIndexCancelled: an index run whose context has ended (SIGINT) stops
// with the context's error and writes no index.
func TestIndexCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	data := t.TempDir()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("Some article text."), 0o644)
	for _, args := range [][]string{{"index", "--data", data}, {"index", "--data", data, "--corpus", dir}} {
		var out, errOut bytes.Buffer
		err := run(ctx, args, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
		if !errors.Is(err, context.Canceled) || strings.Contains(out.String(), "Indexed") {
			t.Errorf("%v: got %v, stdout %q; want context.Canceled and no summary", args, err, out.String())
		}
	}
	if entries, _ := os.ReadDir(data); len(entries) != 0 {
		t.Errorf("a cancelled index wrote %v", entries)
	}
}
