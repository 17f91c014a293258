package openai_test

import (
	"context"
	"testing"
	"time"

	"citebot/rag/openai"
	"citebot/rag/openaitest"
)

// noSleep records the waits of a retrying client instead of waiting.
type noSleep struct{ waits []time.Duration }

func (s *noSleep) sleep(ctx context.Context, d time.Duration) error {
	s.waits = append(s.waits, d)
	return ctx.Err()
}

// newClient returns a client of srv that never really waits between
// retries (the waits are recorded in the returned noSleep), with jitter
// fixed at its lowest (backoff factor 0.5).
func newClient(t *testing.T, srv *openaitest.Server, mod func(*openai.Options)) (*openai.Client, *noSleep) {
	t.Helper()
	ns := &noSleep{}
	opts := openai.Options{BaseURL: srv.URL, Sleep: ns.sleep, Jitter: func() float64 { return 0 }}
	if mod != nil {
		mod(&opts)
	}
	c, err := openai.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, ns
}
