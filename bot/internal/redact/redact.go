// Package redact keeps secrets out of what the bot logs and sends: the
// token, the other secrets it is given and the tokens of interactions.
package redact

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
)

// Secrets the bot must never log or send: its token, the other secrets it
// is given (Options.Secrets: the model server's API key), and the tokens
// of interactions, which appear in the URLs of interaction callbacks and
// webhooks (for 15 minutes, anyone with one can post as the bot in that
// channel). Errors from discordgo and net/http quote those URLs.

// interactionToken matches the token segment of interaction and webhook
// URLs: /interactions/<id>/<token>/… and /webhooks/<id>/<token>.
var interactionToken = regexp.MustCompile(`(/(?:interactions|webhooks)/[0-9]+/)[^/?#\s"']+`)

// redacted replaces a secret.
const redacted = "[redacted]"

// Lengths of the secret filter.
const (
	// minSecretRun is how many consecutive characters of a secret give it
	// away: a run that long is removed wherever it appears, so that a part
	// of a secret left by a cut (a shortened quote, a split message) goes
	// too.
	minSecretRun = 16
	// minSecretLen is the shortest secret the filter looks for; shorter
	// ones are placeholders (an API key of "ollama" or "none" for a local
	// model server), which would otherwise be removed from ordinary text.
	minSecretLen = 8
)

// Filter finds secrets in text: any run of minSecretRun consecutive
// characters of one (a whole secret when it is shorter), also when
// markdown escaping put backslashes between its characters (Escape turns
// "_" into "\_", and JSON doubles the backslash).
type Filter struct {
	runs  map[string]bool // the runs of the secrets
	sizes []int           // their lengths, longest first
}

// New returns a filter of secrets; those shorter than 8 bytes are left
// out.
func New(secrets ...string) Filter {
	f := Filter{runs: map[string]bool{}}
	for _, sec := range secrets {
		sec = strings.TrimSpace(strings.ReplaceAll(sec, "\\", ""))
		if len(sec) < minSecretLen {
			continue
		}
		w := min(len(sec), minSecretRun)
		if !slices.Contains(f.sizes, w) {
			f.sizes = append(f.sizes, w)
		}
		for i := 0; i+w <= len(sec); i++ {
			f.runs[sec[i:i+w]] = true
		}
	}
	slices.Sort(f.sizes)
	slices.Reverse(f.sizes)
	return f
}

// Scrub returns text with every run of a secret replaced by [redacted],
// and whether it found one.
func (f Filter) Scrub(text string) (string, bool) {
	if len(f.runs) == 0 || len(text) < f.sizes[len(f.sizes)-1] {
		return text, false
	}
	// The text without backslashes, and where each of its bytes was.
	clean := make([]byte, 0, len(text))
	at := make([]int, 0, len(text))
	for i := 0; i < len(text); i++ {
		if text[i] != '\\' {
			clean = append(clean, text[i])
			at = append(at, i)
		}
	}
	// Mark the bytes of clean that belong to a run.
	marked := make([]bool, len(clean))
	found := false
	for _, w := range f.sizes {
		for i := 0; i+w <= len(clean); i++ {
			if f.runs[string(clean[i:i+w])] {
				found = true
				for j := i; j < i+w; j++ {
					marked[j] = true
				}
			}
		}
	}
	if !found {
		return text, false
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(clean); {
		if !marked[i] {
			i++
			continue
		}
		j := i
		for j < len(clean) && marked[j] {
			j++
		}
		b.WriteString(text[last:at[i]])
		if j-i >= len(redacted) {
			b.WriteString(redacted)
		} else {
			// Never longer than what it replaces: messages stay
			// within Discord's limits.
			b.WriteString(strings.Repeat("*", j-i))
		}
		last = at[j-1] + 1
		i = j
	}
	b.WriteString(text[last:])
	return b.String(), true
}

// scrubber removes secrets from log text.
type scrubber struct{ secrets Filter }

func (s scrubber) scrub(text string) string {
	text, _ = s.secrets.Scrub(text)
	if strings.Contains(text, "/interactions/") || strings.Contains(text, "/webhooks/") {
		text = interactionToken.ReplaceAllString(text, "${1}"+redacted)
	}
	return text
}

// redactingHandler is a slog.Handler that scrubs the message and every
// attribute of a record before passing it on, so that no log line the bot
// writes (including discordgo's, panics and errors) carries a secret.
type redactingHandler struct {
	inner slog.Handler
	s     scrubber
}

// Logger returns a logger that passes every record to log with secrets
// and interaction tokens scrubbed from its message and attributes.
func Logger(log *slog.Logger, f Filter) *slog.Logger {
	return slog.New(&redactingHandler{inner: log.Handler(), s: scrubber{secrets: f}})
}

func (h *redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.s.scrub(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.inner.Handle(ctx, out)
}

func (h *redactingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = h.attr(a)
	}
	return &redactingHandler{inner: h.inner.WithAttrs(clean), s: h.s}
}

func (h *redactingHandler) WithGroup(name string) slog.Handler {
	return &redactingHandler{inner: h.inner.WithGroup(name), s: h.s}
}

// attr scrubs an attribute's value: strings, errors, Stringers and any
// other value are logged as scrubbed text; groups recursively.
func (h *redactingHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.s.scrub(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]slog.Attr, len(g))
		for i, ga := range g {
			clean[i] = h.attr(ga)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(clean...)}
	case slog.KindAny:
		return slog.String(a.Key, h.s.scrub(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// Body is the second wall around the secrets: every body the bot sends
// to Discord passes through it, whatever produced the text (an article, a
// model's answer, an error message). When a run of a secret is in the
// body, every string of the JSON is scrubbed and the body encoded again,
// and reencoded is true; a body that is not JSON is scrubbed as bytes.
func (f Filter) Body(body []byte) (out []byte, reencoded bool) {
	if _, found := f.Scrub(string(body)); !found {
		return body, false
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		// Not JSON (the bot sends none such): scrub the bytes.
		clean, _ := f.Scrub(string(body))
		return []byte(clean), false
	}
	v = scrubJSON(v, f)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		clean, _ := f.Scrub(string(body))
		return []byte(clean), false
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), true
}

// scrubJSON scrubs every string (and object key) of a decoded JSON value.
func scrubJSON(v any, f Filter) any {
	switch v := v.(type) {
	case string:
		s, _ := f.Scrub(v)
		return s
	case []any:
		for i := range v {
			v[i] = scrubJSON(v[i], f)
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			k, _ = f.Scrub(k)
			out[k] = scrubJSON(x, f)
		}
		return out
	}
	return v
}
