package openai_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"citebot/rag"
	"citebot/rag/openai"
	"citebot/rag/openaitest"
)

func TestOpenAIRetries(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name       string
		retries    int // MaxRetries option (0: the default 3)
		script     []openaitest.Reply
		wantCalls  int
		wantWaits  []time.Duration
		wantReason string // "" for success
	}{
		{"success needs no retry", 0, nil, 1, nil, ""},
		{"429 honours Retry-After seconds", 0, []openaitest.Reply{openaitest.RateLimited("7")}, 2, []time.Duration{7 * time.Second}, ""},
		{"429 honours a Retry-After date", 0, []openaitest.Reply{openaitest.RateLimited(now.Add(5 * time.Second).Format(http.TimeFormat))}, 2, []time.Duration{5 * time.Second}, ""},
		{"429 without Retry-After backs off", 0, []openaitest.Reply{openaitest.RateLimited("")}, 2, []time.Duration{250 * time.Millisecond}, ""},
		{"5xx back off exponentially", 0, []openaitest.Reply{openaitest.ServerError(500), openaitest.ServerError(503), openaitest.ServerError(504)}, 4,
			[]time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second}, ""},
		{"HTML 502 from a proxy is retried", 0, []openaitest.Reply{openaitest.BadGatewayHTML()}, 2, []time.Duration{250 * time.Millisecond}, ""},
		{"retries are bounded", 2, []openaitest.Reply{openaitest.BadGatewayHTML(), openaitest.BadGatewayHTML(), openaitest.BadGatewayHTML(), openaitest.BadGatewayHTML()}, 3,
			[]time.Duration{250 * time.Millisecond, 500 * time.Millisecond}, "server error: 502 Bad Gateway"},
		{"no retries when disabled", -1, []openaitest.Reply{openaitest.ServerError(503)}, 1, nil, "server error: 503 Service Unavailable"},
		{"400 is not retried", 0, []openaitest.Reply{openaitest.ServerError(400)}, 1, nil, "rejected: 400 Bad Request"},
		{"401 is not retried", 0, []openaitest.Reply{openaitest.ServerError(401)}, 1, nil, "rejected: 401 Unauthorized"},
		{"501 is not retried", 0, []openaitest.Reply{openaitest.ServerError(501)}, 1, nil, "server error: 501 Not Implemented"},
		{"a Retry-After beyond the cap is not waited for", 0, []openaitest.Reply{openaitest.RateLimited("3600")}, 1, nil, "rate limited: 429 Too Many Requests"},
	}
	for _, tt := range tests {
		for _, stream := range []bool{false, true} {
			name := tt.name
			if stream {
				name += " (stream)"
			}
			t.Run(name, func(t *testing.T) {
				srv := openaitest.New(t)
				c, ns := newClient(t, srv, func(o *openai.Options) {
					o.MaxRetries = tt.retries
					o.Now = func() time.Time { return now }
				})
				srv.Chat(tt.script...)
				srv.Chat(openaitest.Reply{Text: "Fine [1]."})
				var onDelta func(string)
				if stream {
					onDelta = func(string) {}
				}
				comp, err := c.Chat("m").Complete(context.Background(), rag.Prompt{System: "s", User: "u"}, onDelta)
				if got := len(srv.ChatRequests()); got != tt.wantCalls {
					t.Errorf("%d attempts, want %d", got, tt.wantCalls)
				}
				if !slices.Equal(ns.waits, tt.wantWaits) {
					t.Errorf("waits %v, want %v", ns.waits, tt.wantWaits)
				}
				if tt.wantReason == "" {
					if err != nil || comp.Text != "Fine [1]." {
						t.Errorf("Complete = %q, %v; want the reply", comp.Text, err)
					}
					return
				}
				var me *rag.ModelError
				if !errors.As(err, &me) || me.Reason != tt.wantReason {
					t.Fatalf("err = %v, want a *ModelError with reason %q", err, tt.wantReason)
				}
				if strings.Contains(err.Error(), "<html") || strings.Contains(err.Error(), "<center>") {
					t.Errorf("the error message carries the HTML page: %v", err)
				}
			})
		}
	}
}

func TestOpenAIRetriesEmbeddings(t *testing.T) {
	srv := openaitest.New(t)
	c, ns := newClient(t, srv, nil)
	srv.Embed(openaitest.RateLimited("2"), openaitest.BadGatewayHTML())
	vecs, err := c.Embedder("m", nil).EmbedDocuments(context.Background(), []string{"a", "b"})
	if err != nil || len(vecs) != 2 {
		t.Fatalf("EmbedDocuments = %d vectors, %v", len(vecs), err)
	}
	if got := len(srv.EmbeddingRequests()); got != 3 {
		t.Errorf("%d attempts, want 3", got)
	}
	if want := []time.Duration{2 * time.Second, 500 * time.Millisecond}; !slices.Equal(ns.waits, want) {
		t.Errorf("waits %v, want %v", ns.waits, want)
	}
}

func TestOpenAIUnreachableServerIsRetried(t *testing.T) {
	srv := openaitest.New(t)
	c, ns := newClient(t, srv, func(o *openai.Options) { o.MaxRetries = 2 })
	srv.Close()
	_, err := c.Chat("m").Complete(context.Background(), rag.Prompt{System: "s", User: "u"}, nil)
	var me *rag.ModelError
	if !errors.As(err, &me) || me.Reason != "unreachable" {
		t.Fatalf("err = %v, want reason unreachable", err)
	}
	if len(ns.waits) != 2 {
		t.Errorf("%d retries, want 2", len(ns.waits))
	}
}

func TestOpenAITimeoutIsNotRetried(t *testing.T) {
	srv := openaitest.New(t)
	c, ns := newClient(t, srv, func(o *openai.Options) { o.Timeout = 50 * time.Millisecond })
	for _, stream := range []bool{false, true} {
		srv.Chat(openaitest.Slow(time.Minute, "late [1]."))
		var onDelta func(string)
		if stream {
			onDelta = func(string) {}
		}
		_, err := c.Chat("m").Complete(context.Background(), rag.Prompt{System: "s", User: "u"}, onDelta)
		var me *rag.ModelError
		if !errors.Is(err, openai.ErrTimeout) || !errors.As(err, &me) || me.Reason != "timeout" {
			t.Errorf("stream %v: err = %v, want ErrTimeout with reason timeout", stream, err)
		}
	}
	if len(ns.waits) != 0 || len(srv.ChatRequests()) != 2 {
		t.Errorf("%d waits and %d requests for two timeouts; want no retries", len(ns.waits), len(srv.ChatRequests()))
	}
}

// TestOpenAIStreamTimeoutCoversBody checks that the timeout also ends a
// stream that started in time but then stalls.
func TestOpenAIStreamTimeoutCoversBody(t *testing.T) {
	srv := openaitest.New(t)
	c, _ := newClient(t, srv, func(o *openai.Options) { o.Timeout = 100 * time.Millisecond })
	srv.ChatFunc(func(openaitest.ChatRequest) openaitest.Reply {
		return openaitest.Reply{Chunks: []string{"a ", "b ", "never"}, StallAfter: 2}
	})
	var got []string
	_, err := c.Chat("m").Complete(context.Background(), rag.Prompt{System: "s", User: "u"}, func(s string) { got = append(got, s) })
	if !errors.Is(err, openai.ErrTimeout) {
		t.Errorf("err = %v, want ErrTimeout", err)
	}
	if want := []string{"a ", "b "}; !slices.Equal(got, want) {
		t.Errorf("fragments before the stall: %q, want %q", got, want)
	}
}

func TestOpenAICallerCancellationIsNotAModelError(t *testing.T) {
	srv := openaitest.New(t)
	c, _ := newClient(t, srv, nil)
	srv.Chat(openaitest.Slow(time.Minute, "late."))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := c.Chat("m").Complete(ctx, rag.Prompt{System: "s", User: "u"}, nil)
	var me *rag.ModelError
	if !errors.Is(err, context.Canceled) || errors.As(err, &me) {
		t.Errorf("err = %v, want context.Canceled, not a *ModelError", err)
	}
}

func TestOpenAIKeyIsSentButNeverLogged(t *testing.T) {
	const key = "sk-test-0123456789abcdef"
	srv := openaitest.New(t)
	var logs bytes.Buffer
	c, _ := newClient(t, srv, func(o *openai.Options) {
		o.APIKey = key
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	srv.Chat(openaitest.RateLimited("1"), openaitest.ServerError(401))
	_, err := c.Chat("m").Complete(context.Background(), rag.Prompt{System: "s", User: "u"}, nil)
	if err == nil {
		t.Fatal("want the 401 error")
	}
	for _, r := range srv.Requests() {
		if r.Authorization != "Bearer "+key {
			t.Errorf("Authorization %q, want the bearer key", r.Authorization)
		}
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("no retry was logged: %s", logs.String())
	}
	if strings.Contains(logs.String(), key) || strings.Contains(err.Error(), key) {
		t.Error("the API key appears in a log line or error")
	}
	// Without a key (local servers) no Authorization header is sent.
	c2, _ := newClient(t, srv, nil)
	if _, err := c2.Chat("m").Complete(context.Background(), rag.Prompt{System: "s", User: "u"}, nil); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if a := reqs[len(reqs)-1].Authorization; a != "" {
		t.Errorf("Authorization %q without a key, want none", a)
	}
}
