// Package openai is rag's client of OpenAI-compatible servers (OpenAI,
// Ollama, vLLM, llama.cpp, LocalAI …): a [Client] with one concurrency
// limit and retry policy, its [Embedder] (a rag.Embedder) and its [Chat]
// models (a rag.ChatModel). It is the only package of citebot that imports
// github.com/sashabaranov/go-openai; failures come back as
// *rag.ModelError, so nothing above it sees go-openai's types.
package openai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	goopenai "github.com/sashabaranov/go-openai"

	"citebot/rag"
	"citebot/rag/backoff"
)

// This file is the one place that converts between citebot's types and
// go-openai's: requests, responses and errors.

// DefaultBaseURL is the API root used when none is configured.
const DefaultBaseURL = "https://api.openai.com/v1"

// Defaults of [Options].
const (
	// DefaultTimeout is Options.Timeout's default.
	DefaultTimeout = 60 * time.Second
	// DefaultMaxConcurrent is Options.MaxConcurrent's default.
	DefaultMaxConcurrent = 4
	// DefaultMaxRetries is Options.MaxRetries's default.
	DefaultMaxRetries = 3
	// DefaultEmbeddingBatch is the most texts sent in one embedding request.
	DefaultEmbeddingBatch = 96
	// DefaultEmbeddingBatchBytes bounds the text of one embedding request
	// (about 30k tokens); a single longer text is still sent alone.
	DefaultEmbeddingBatchBytes = 120_000
)

// emptyMessagesLimit is how many non-data lines (keep-alives, comments) a
// stream may send in a row; go-openai's default of 300 is too low for
// servers that send a keep-alive line while a slow model thinks. The
// request timeout bounds the stream anyway.
const emptyMessagesLimit = 1 << 20

// Options configures [New]. The zero value talks to
// api.openai.com without a key, with the defaults below.
type Options struct {
	// BaseURL is the API root, e.g. http://localhost:11434/v1 for Ollama.
	// Default [DefaultBaseURL].
	BaseURL string
	// APIKey is sent as a bearer token; empty sends none (local servers).
	// It is never logged.
	APIKey string
	// Timeout bounds one request attempt, including reading a streamed
	// reply. Default 60s.
	Timeout time.Duration
	// MaxConcurrent bounds simultaneous requests of all embedders and chat
	// models made from the client. Default 4.
	MaxConcurrent int
	// MaxRetries bounds the retries of a request that failed with 408, 429,
	// 5xx or a network error. Default 3; negative means none.
	MaxRetries int
	// HTTPClient sends the requests. Default: a new http.Client (its own
	// Timeout should be zero; Timeout above applies).
	HTTPClient *http.Client
	// Logger receives retry warnings. Default: discard.
	Logger *slog.Logger

	// RetryBase and RetryMax shape the exponential backoff: the n-th retry
	// waits RetryBase·2ⁿ, at most RetryMax, times a random factor in
	// [0.5, 1). Defaults [DefaultRetryBase], [DefaultRetryMax].
	RetryBase, RetryMax time.Duration
	// MaxRetryAfter is the longest Retry-After honoured; a server asking
	// for longer is not retried. Default [DefaultMaxRetryAfter].
	MaxRetryAfter time.Duration
	// Sleep waits between retries. Default: a timer that ends early when
	// ctx is done. Tests replace it to run without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a random number in [0, 1). Default math/rand/v2.
	Jitter func() float64
	// Now is the clock for Retry-After dates. Default time.Now.
	Now func() time.Time
}

// Client talks to one OpenAI-compatible server (OpenAI, Ollama,
// vLLM, llama.cpp, LocalAI …). Its embedders and chat models share one
// concurrency limit and retry policy. It is safe for concurrent use.
type Client struct {
	c    *goopenai.Client
	host string
}

// New returns a client for the server described by opts. It
// fails only on a malformed BaseURL.
func New(opts Options) (*Client, error) {
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(opts.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The URL may hold credentials (user:password@, ?api_key=):
		// callers show it redacted.
		return nil, errors.New("openai client: the base URL is not an http(s) URL such as http://localhost:11434/v1")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = DefaultMaxConcurrent
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = DefaultMaxRetries
	}
	if opts.MaxRetries < 0 {
		opts.MaxRetries = 0
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = DefaultRetryBase
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = DefaultRetryMax
	}
	if opts.MaxRetryAfter <= 0 {
		opts.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if opts.Sleep == nil {
		opts.Sleep = backoff.Sleep
	}
	if opts.Jitter == nil {
		opts.Jitter = defaultJitter
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	cfg := goopenai.DefaultConfig(opts.APIKey)
	cfg.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	cfg.EmptyMessagesLimit = emptyMessagesLimit
	cfg.HTTPClient = &retryDoer{
		client: opts.HTTPClient, timeout: opts.Timeout, maxRetries: opts.MaxRetries,
		sem:  make(chan struct{}, opts.MaxConcurrent),
		base: opts.RetryBase, maxWait: opts.RetryMax, maxRetryAfter: opts.MaxRetryAfter,
		sleep: opts.Sleep, jitter: opts.Jitter, now: opts.Now, log: opts.Logger,
	}
	return &Client{c: goopenai.NewClientWithConfig(cfg), host: u.Host}, nil
}

// Host returns the server's host (and port), e.g. "api.openai.com".
func (c *Client) Host() string { return c.host }

// modelError converts an error of go-openai or the HTTP layer into a
// *rag.ModelError; the caller's own cancellation is returned unchanged.
func modelError(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return err
	}
	me := &rag.ModelError{Op: op, Err: err}
	var (
		apiErr *goopenai.APIError
		reqErr *goopenai.RequestError
		netErr net.Error
	)
	switch {
	case errors.Is(err, ErrTimeout):
		me.Reason = "timeout"
		me.Detail = err.Error()
	case errors.As(err, &apiErr) && apiErr.HTTPStatusCode > 0:
		me.StatusCode = apiErr.HTTPStatusCode
		me.Reason = statusReason(apiErr.HTTPStatusCode)
		me.Detail = shortDetail(apiErr.Message)
	case errors.As(err, &reqErr) && reqErr.HTTPStatusCode > 0:
		// A body that is not an OpenAI JSON error, e.g. a proxy's HTML page.
		me.StatusCode = reqErr.HTTPStatusCode
		me.Reason = statusReason(reqErr.HTTPStatusCode)
		if !looksLikeHTML(reqErr.Body) {
			me.Detail = shortDetail(string(reqErr.Body))
		}
	case errors.As(err, &apiErr): // an error event inside a stream
		me.Reason = "interrupted"
		me.Detail = shortDetail(apiErr.Message)
	case errors.Is(err, errStreamInterrupted), errors.Is(err, io.ErrUnexpectedEOF):
		me.Reason = "interrupted"
		me.Detail = shortDetail(err.Error())
	case errors.As(err, &netErr):
		me.Reason = "unreachable"
		me.Detail = shortDetail(netErrorDetail(err))
	default:
		me.Reason = "bad response"
		me.Detail = shortDetail(err.Error())
	}
	return me
}

func statusReason(code int) string {
	status := strings.TrimSpace(fmt.Sprintf("%d %s", code, http.StatusText(code)))
	switch {
	case code == http.StatusTooManyRequests:
		return "rate limited: " + status
	case code >= 500:
		return "server error: " + status
	}
	return "rejected: " + status
}

// netErrorDetail drops the URL from a *url.Error: "connection refused".
func netErrorDetail(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func looksLikeHTML(b []byte) bool {
	s := strings.ToLower(strings.TrimSpace(string(b[:min(len(b), 512)])))
	return strings.HasPrefix(s, "<!doctype") || strings.HasPrefix(s, "<html") || strings.Contains(s, "<body")
}

// shortDetail keeps the first line of s, at most 200 characters.
func shortDetail(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:200]) + "…"
	}
	return s
}

// Embedder embeds text with an embedding model of an
// OpenAI-compatible server: texts are sent in batches of at most
// [DefaultEmbeddingBatch] texts and [DefaultEmbeddingBatchBytes], batches
// run concurrently within the client's limit, and every vector is
// normalised to unit length. All vectors must have the same length; a
// server that changes it mid-way is an error, never a mixed index.
type Embedder struct {
	client *Client
	model  string
	log    *slog.Logger
	dim    atomic.Int64
}

var _ rag.Embedder = (*Embedder)(nil)

// Embedder returns an embedder using model on the client's server. log
// receives warnings (nil: discard).
func (c *Client) Embedder(model string, log *slog.Logger) *Embedder {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Embedder{client: c, model: model, log: log}
}

// Client returns the embedder's client, so that a chat model can share its
// concurrency limit.
func (e *Embedder) Client() *Client { return e.client }

// Name returns "openai:<model>@<host>", e.g.
// "openai:nomic-embed-text@localhost:11434": an index built with another
// model or server is re-embedded.
func (e *Embedder) Name() string { return "openai:" + e.model + "@" + e.client.host }

// EmbedDocuments returns one unit vector per text, in order.
func (e *Embedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	batches := splitBatches(texts, DefaultEmbeddingBatch, DefaultEmbeddingBatchBytes)
	if len(batches) == 1 {
		return out, e.embedBatch(ctx, texts, out)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	from := 0
	for _, n := range batches {
		wg.Add(1)
		go func(from, to int) {
			defer wg.Done()
			if err := e.embedBatch(ctx, texts[from:to], out[from:to]); err != nil {
				cancel(err)
			}
		}(from, from+n)
		from += n
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return out, nil
}

// EmbedQuery embeds a search query with the same model. When the server
// fails, it logs a warning and returns nil, so that the search goes on
// with keywords alone; only the caller's cancellation is an error.
func (e *Embedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	if strings.TrimSpace(text) == "" {
		return nil, ctx.Err()
	}
	out := make([][]float32, 1)
	if err := e.embedBatch(ctx, []string{text}, out); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		e.log.Warn("could not embed the question; searching by keywords only", "model", e.model, "error", err.Error())
		return nil, nil
	}
	return out[0], nil
}

// splitBatches returns the sizes of consecutive batches of texts.
func splitBatches(texts []string, maxTexts, maxBytes int) []int {
	var sizes []int
	n, bytes := 0, 0
	for _, t := range texts {
		if n > 0 && (n == maxTexts || bytes+len(t) > maxBytes) {
			sizes = append(sizes, n)
			n, bytes = 0, 0
		}
		n++
		bytes += len(t)
	}
	if n > 0 {
		sizes = append(sizes, n)
	}
	return sizes
}

// embedBatch embeds texts in one request into out.
func (e *Embedder) embedBatch(ctx context.Context, texts []string, out [][]float32) error {
	input := make([]string, len(texts))
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			t = "(empty)" // servers reject empty input
		}
		input[i] = t
	}
	res, err := e.client.c.CreateEmbeddings(ctx, goopenai.EmbeddingRequestStrings{
		Input: input, Model: goopenai.EmbeddingModel(e.model), EncodingFormat: goopenai.EmbeddingEncodingFormatFloat,
	})
	if err != nil {
		return modelError(ctx, "embeddings", err)
	}
	bad := func(format string, args ...any) error {
		return &rag.ModelError{Op: "embeddings", Reason: "bad response", Detail: fmt.Sprintf(format, args...)}
	}
	if len(res.Data) != len(texts) {
		return bad("%d embeddings for %d texts", len(res.Data), len(texts))
	}
	// Place by index; servers that leave every index 0 answer in order.
	byIndex := true
	seen := make([]bool, len(texts))
	for _, d := range res.Data {
		if d.Index < 0 || d.Index >= len(texts) || seen[d.Index] {
			byIndex = false
			break
		}
		seen[d.Index] = true
	}
	for i, d := range res.Data {
		j := i
		if byIndex {
			j = d.Index
		}
		v := rag.Normalize32(d.Embedding)
		if v == nil {
			return bad("a zero or non-finite embedding")
		}
		dim := int64(len(v))
		if !e.dim.CompareAndSwap(0, dim) && e.dim.Load() != dim {
			return bad("embeddings of %d dimensions after %d from model %s; re-index with one model", dim, e.dim.Load(), e.model)
		}
		out[j] = v
	}
	return nil
}

// errStreamInterrupted means a stream ended without saying it was done.
var errStreamInterrupted = errors.New("the reply stream ended before the model finished")

// Chat is a chat model on an OpenAI-compatible server.
type Chat struct {
	client *Client
	model  string
}

var _ rag.ChatModel = (*Chat)(nil)

// Chat returns the chat model named model on the client's server.
func (c *Client) Chat(model string) *Chat { return &Chat{client: c, model: model} }

// Name returns "<model>@<host>".
func (m *Chat) Name() string { return m.model + "@" + m.client.host }

// Complete sends p to the model. With onDelta it streams the reply
// (CreateChatCompletionStream) and passes each content fragment on as it
// arrives; a stream that breaks off, or ends without a finish reason, is
// an error. Failures are *rag.ModelError.
func (m *Chat) Complete(ctx context.Context, p rag.Prompt, onDelta func(string)) (rag.Completion, error) {
	req := goopenai.ChatCompletionRequest{
		Model: m.model,
		Messages: []goopenai.ChatCompletionMessage{
			{Role: goopenai.ChatMessageRoleSystem, Content: p.System},
			{Role: goopenai.ChatMessageRoleUser, Content: p.User},
		},
	}
	if onDelta == nil {
		res, err := m.client.c.CreateChatCompletion(ctx, req)
		if err != nil {
			return rag.Completion{}, modelError(ctx, "chat", err)
		}
		if len(res.Choices) == 0 {
			return rag.Completion{}, &rag.ModelError{Op: "chat", Reason: "bad response", Detail: "no choices in the reply"}
		}
		ch := res.Choices[0]
		return rag.Completion{Text: ch.Message.Content, Finish: string(ch.FinishReason)}, nil
	}
	stream, err := m.client.c.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return rag.Completion{}, modelError(ctx, "chat", err)
	}
	defer stream.Close()
	var (
		text   strings.Builder
		finish string
	)
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rag.Completion{Text: text.String()}, modelError(ctx, "chat", err)
		}
		for _, ch := range chunk.Choices {
			if ch.Index != 0 {
				continue
			}
			if s := ch.Delta.Content; s != "" {
				text.WriteString(s)
				onDelta(s)
			}
			if ch.FinishReason != "" {
				finish = string(ch.FinishReason)
			}
		}
	}
	if finish == "" {
		return rag.Completion{Text: text.String()}, modelError(ctx, "chat", errStreamInterrupted)
	}
	return rag.Completion{Text: text.String(), Finish: finish}, nil
}
