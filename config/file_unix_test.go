//go:build unix

package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"citebot/config"
)

func TestInsecureFile(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content string
		mode          os.FileMode
		wantKeys      string // "" for no warning
	}{
		{"both-0644", "discord:\n  token: t\nopenai:\n  api_key: k\n", 0o644, "openai.api_key,discord.token"},
		{"token-0640", "discord:\n  token: t\n", 0o640, "discord.token"},
		{"key-0602", "openai:\n  api_key: k\n", 0o602, "openai.api_key"},
		{"token-0600", "discord:\n  token: t\n", 0o600, ""},
		{"token-0400", "discord:\n  token: t\n", 0o400, ""},
		{"plain-0644", "top_k: 3\n", 0o644, ""},
		{"empty-secrets-0644", "discord:\n  token: \"\"\nopenai:\n  api_key: ~\n", 0o644, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name+".yaml")
			os.WriteFile(p, []byte(tt.content), 0o600)
			if err := os.Chmod(p, tt.mode); err != nil {
				t.Fatal(err)
			}
			c, err := config.Load(nil, func(k string) string {
				if k == config.FileEnv {
					return p
				}
				return ""
			})
			if err != nil {
				t.Fatal(err)
			}
			w := c.InsecureFile()
			if tt.wantKeys == "" {
				if w != nil {
					t.Errorf("got warning %v, want none", w)
				}
				return
			}
			if w == nil {
				t.Fatalf("no warning, want one for %s", tt.wantKeys)
			}
			if got := strings.Join(w.Keys, ","); got != tt.wantKeys || w.Path != p || w.Mode != tt.mode {
				t.Errorf("got %+v, want keys %s, path %s, mode %o", w, tt.wantKeys, p, tt.mode)
			}
			if msg := w.Error(); !strings.Contains(msg, "chmod 600 "+p) || strings.Contains(msg, ": t\n") {
				t.Errorf("message %q does not name the fix", msg)
			}
		})
	}
}

func TestLoadFileRefusesPipe(t *testing.T) {
	p := filepath.Join(t.TempDir(), "citebot.yaml")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	c := config.Default()
	err := c.LoadFile(p)
	if err == nil || !strings.Contains(err.Error(), "not a regular file (a named pipe)") || !strings.Contains(err.Error(), p) {
		t.Errorf("got %v, want a named pipe refused", err)
	}
	if err := c.LoadFile(filepath.Dir(p)); err == nil || !strings.Contains(err.Error(), "a directory") {
		t.Errorf("a directory: got %v", err)
	}
}
