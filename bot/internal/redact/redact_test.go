package redact_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"citebot/bot/internal/redact"
)

// scrub is text with the secrets scrubbed.
func scrub(text string, secrets ...string) string {
	out, _ := redact.New(secrets...).Scrub(text)
	return out
}

func TestSecretFilter(t *testing.T) {
	const tok = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.Ab_cD-.x_Y1-secret_canary_tok"
	cases := []struct{ name, in, want string }{
		{"whole", "token " + tok + " here", "token [redacted] here"},
		{"markdown-escaped", "token " + strings.ReplaceAll(tok, "_", `\_`) + " here", "token [redacted] here"},
		{"JSON-escaped", `{"content":"` + strings.ReplaceAll(tok, "_", `\\_`) + `"}`, `{"content":"[redacted]"}`},
		{"cut at the end", "a quote ending in " + tok[:20] + "…", "a quote ending in [redacted]…"},
		{"cut at the start", tok[30:] + " continues", "[redacted] continues"},
		{"fifteen characters are not enough", tok[:15], tok[:15]},
		{"ordinary text", "nothing to see", "nothing to see"},
	}
	for _, c := range cases {
		if got := scrub(c.in, tok); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	if got := scrub("served by ollama", "ollama"); got != "served by ollama" {
		t.Errorf("a placeholder key is removed from text: %q", got)
	}
	if got := scrub("key abcdefgh!", "abcdefgh"); got != "key ********!" {
		t.Errorf("a short secret: %q, want stars no longer than it", got)
	}
}

func TestBody(t *testing.T) {
	const tok = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.Ab_cD-.x_Y1-secret_canary_tok"
	f := redact.New(tok)
	tests := []struct {
		name, in, want string
		reencoded      bool
	}{
		{"clean JSON is kept as it is", `{"content":"hello <b>"}`, `{"content":"hello <b>"}`, false},
		{"a secret in a string", `{"content":"token ` + tok + `","n":1}`, `{"content":"token [redacted]","n":1}`, true},
		{"not JSON", "token " + tok, "token [redacted]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reencoded := f.Body([]byte(tt.in))
			if string(got) != tt.want || reencoded != tt.reencoded {
				t.Errorf("got %s (reencoded %v), want %s (%v)", got, reencoded, tt.want, tt.reencoded)
			}
		})
	}
}

func TestLoggerScrubsMessagesAndAttributes(t *testing.T) {
	const tok = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.Ab_cD-.x_Y1-secret_canary_tok"
	var buf bytes.Buffer
	log := redact.Logger(slog.New(slog.NewTextHandler(&buf, nil)), redact.New(tok))
	log.With("token", tok).WithGroup("g").Info("sent "+tok, "url", "https://discord.com/api/v10/webhooks/123/secret-interaction-token/messages/@original")
	out := buf.String()
	if strings.Contains(out, tok[20:40]) || strings.Contains(out, "secret-interaction-token") {
		t.Errorf("a secret is in the log line: %s", out)
	}
	if got, want := strings.Count(out, "[redacted]"), 3; got != want {
		t.Errorf("got %d redactions, want %d: %s", got, want, out)
	}
}
