package main

import (
	"strings"
	"testing"
)

// Recognisable secrets: if any of them shows up in what citebot prints, a
// secret leaked.
const (
	leakToken  = "MTAxMDEwMTAxMDEwMTAxMDEw.LEAKED.tokenvalue-that-must-never-print-0123456789"
	leakAPIKey = "sk-LEAKED-apikey-that-must-never-print"
)

func TestSecretsNeverPrinted(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{
		"DISCORD_TOKEN":              leakToken,
		"OPENAI_API_KEY":             leakAPIKey,
		"CITEBOT_LOG_LEVEL":          "debug",
		"CITEBOT_DATA_DIR":           data,
		"OPENAI_BASE_URL":            "http://127.0.0.1:1/v1", // nothing listens: errors and retries get logged
		"CITEBOT_CHAT_MODEL":         "test-chat",
		"CITEBOT_OPENAI_MAX_RETRIES": "1", // one retry is logged; more only slow the test down
	}
	withEnv := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range env {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	runs := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"ask with an unreachable model", env, []string{"ask", "--json", "when did Biden and Xi last speak?"}},
		{"ask in text", env, []string{"ask", "who is Denny Roy?"}},
		{"search", env, []string{"search", "theater commander"}},
		{"index with an unreachable embedding model", withEnv(map[string]string{"CITEBOT_EMBEDDING_MODEL": "emb"}), []string{"index"}},
		{"invalid configuration", withEnv(map[string]string{"CITEBOT_TOP_K": "0", "CITEBOT_OPENAI_TIMEOUT": "forever"}), []string{"ask", "q"}},
		{"json logs", withEnv(map[string]string{"CITEBOT_LOG_FORMAT": "json"}), []string{"ask", "what is new?"}},
		{"token with a typo", withEnv(map[string]string{"DISCORD_TOKEN": leakToken + " x"}), []string{"ask", "q?"}},
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			out, errOut, _ := runCLI(t, r.env, r.args...)
			for _, secret := range []string{leakToken, leakAPIKey, "tokenvalue-that-must-never-print", "apikey-that-must-never-print"} {
				if strings.Contains(out, secret) || strings.Contains(errOut, secret) {
					t.Errorf("secret %q printed:\nstdout: %s\nstderr: %s", secret[:12], out, errOut)
				}
			}
		})
	}
}
