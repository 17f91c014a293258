package bot

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

// Secrets the bot must never log: its token, and the tokens of
// interactions, which appear in the URLs of interaction callbacks and
// webhooks (for 15 minutes, anyone with one can post as the bot in that
// channel). Errors from discordgo and net/http quote those URLs.

// interactionToken matches the token segment of interaction and webhook
// URLs: /interactions/<id>/<token>/… and /webhooks/<id>/<token>.
var interactionToken = regexp.MustCompile(`(/(?:interactions|webhooks)/[0-9]+/)[^/?#\s"']+`)

// redacted replaces a secret in logs.
const redacted = "[redacted]"

// scrubber removes secrets from text.
type scrubber struct{ token string }

func (s scrubber) scrub(text string) string {
	if s.token != "" && strings.Contains(text, s.token) {
		text = strings.ReplaceAll(text, s.token, redacted)
	}
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

func newRedactingLogger(log *slog.Logger, token string) *slog.Logger {
	return slog.New(&redactingHandler{inner: log.Handler(), s: scrubber{token: token}})
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
