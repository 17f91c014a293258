package config

import "log/slog"

// Secret holds a token or API key. It prints, logs and marshals as
// "[redacted]" (or "" when empty); call Reveal to use the value.
type Secret string

const redacted = "[redacted]"

// Reveal returns the secret value itself. Pass it only to the client that
// needs it, never to a logger or an error message.
func (s Secret) Reveal() string { return string(s) }

// String returns "[redacted]", or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return `config.Secret("` + s.String() + `")` }

// LogValue keeps slog from printing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText redacts the value in JSON, YAML and other text encodings.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText stores the value as given.
func (s *Secret) UnmarshalText(b []byte) error { *s = Secret(b); return nil }
