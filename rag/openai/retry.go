package openai

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"citebot/rag/backoff"
)

// ErrTimeout means one request to the model server took longer than
// its timeout ([Options.Timeout]).
var ErrTimeout = errors.New("the model server did not answer in time")

// Retry policy defaults.
const (
	// DefaultRetryBase is the first backoff; each retry doubles it.
	DefaultRetryBase = 500 * time.Millisecond
	// DefaultRetryMax caps one backoff.
	DefaultRetryMax = 8 * time.Second
	// DefaultMaxRetryAfter is the longest Retry-After the client waits; a
	// server asking for more is not retried.
	DefaultMaxRetryAfter = 30 * time.Second
)

// errAttemptTimeout is the cause of an attempt's context when its own
// timeout, not the caller's, ended it.
var errAttemptTimeout = errors.New("attempt timeout")

// retryDoer sends HTTP requests to the model server with bounded retries,
// a per-attempt timeout and a concurrency limit. It sits below go-openai
// (as its HTTPDoer), where status codes, Retry-After headers and network
// errors are visible before the library turns them into errors.
//
// An attempt holds a concurrency slot from sending the request until the
// response body is closed, so a stream counts for as long as it runs; the
// slot is released while waiting to retry. The timeout covers an attempt
// including reading its body.
//
// Retried: 408, 429 and 5xx responses except 501, and network errors
// (connection refused or reset, a proxy hanging up). Not retried: other
// 4xx responses (a bad key or model name does not heal), attempts that hit
// the timeout (a server that was too slow once will be again, and someone
// is waiting), a Retry-After longer than maxRetryAfter, and a wait that
// would outlast the caller's deadline.
type retryDoer struct {
	client        *http.Client
	timeout       time.Duration
	maxRetries    int
	sem           chan struct{}
	base, maxWait time.Duration
	maxRetryAfter time.Duration
	sleep         func(context.Context, time.Duration) error
	jitter        func() float64
	now           func() time.Time
	log           *slog.Logger
}

// Do sends req, retrying as described on [retryDoer].
func (d *retryDoer) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		if attempt > 0 && req.Body != nil {
			if req.GetBody == nil {
				return nil, errors.New("model request: cannot resend a request body")
			}
			body, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("model request: %w", err)
			}
			req.Body = body
		}
		resp, retry, wait, err := d.attempt(ctx, req)
		if !retry || attempt >= d.maxRetries {
			return resp, err
		}
		if wait < 0 { // no Retry-After: exponential backoff with jitter
			wait = backoff.Exponential(attempt, d.base, d.maxWait, d.jitter())
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return resp, err // the caller cannot wait that long
		}
		what := "network error"
		if resp != nil {
			what = resp.Status
		}
		d.log.Warn("model server request failed; retrying", "url", req.URL.Host+req.URL.Path,
			"problem", what, "attempt", attempt+1, "retries", d.maxRetries, "wait", wait.Round(time.Millisecond))
		if resp != nil {
			resp.Body.Close()
		}
		if err := d.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// attempt sends req once. A failed response comes back with its body read
// into memory and the slot released; wait is the server's Retry-After, or
// -1 when it sent none.
func (d *retryDoer) attempt(ctx context.Context, req *http.Request) (resp *http.Response, retry bool, wait time.Duration, err error) {
	select {
	case d.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, false, 0, ctx.Err()
	}
	release := func() { <-d.sem }
	actx, cancel := context.WithTimeoutCause(ctx, d.timeout, errAttemptTimeout)
	done := func() { cancel(); release() }

	resp, err = d.client.Do(req.WithContext(actx))
	if err != nil {
		timedOut := context.Cause(actx) == errAttemptTimeout && ctx.Err() == nil
		done()
		switch {
		case timedOut:
			return nil, false, 0, fmt.Errorf("%w (timeout %s)", ErrTimeout, d.timeout)
		case ctx.Err() != nil:
			return nil, false, 0, ctx.Err()
		}
		return nil, true, -1, err
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 400 {
		resp.Body = &attemptBody{ReadCloser: resp.Body, ctx: actx, parent: ctx, timeout: d.timeout, done: done}
		return resp, false, 0, nil
	}
	// A failure: keep a bounded copy of the body for go-openai's error.
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	done()
	if rerr != nil && ctx.Err() != nil {
		return nil, false, 0, ctx.Err()
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	wait = -1
	if ra, ok := d.retryAfter(resp.Header); ok {
		if ra > d.maxRetryAfter {
			return resp, false, 0, nil
		}
		wait = ra
	}
	return resp, retryableStatus(resp.StatusCode), wait, nil
}

// retryableStatus reports whether a response status is worth retrying.
func retryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests ||
		(code >= 500 && code != http.StatusNotImplemented)
}

// retryAfter reads how long the server asks to wait: the retry-after-ms
// header (OpenAI) or Retry-After in seconds or as an HTTP date.
func (d *retryDoer) retryAfter(h http.Header) (time.Duration, bool) {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(d.now()), 0), true
	}
	return 0, false
}

// attemptBody ends its attempt when closed: it cancels the attempt's
// timeout and frees the concurrency slot. A read cut off by the timeout
// returns [ErrTimeout].
type attemptBody struct {
	io.ReadCloser
	ctx, parent context.Context
	timeout     time.Duration
	done        func()
	once        sync.Once
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && context.Cause(b.ctx) == errAttemptTimeout && b.parent.Err() == nil {
		err = fmt.Errorf("%w (timeout %s)", ErrTimeout, b.timeout)
	}
	return n, err
}

func (b *attemptBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}

// defaultJitter returns a random number in [0, 1).
func defaultJitter() float64 { return rand.Float64() }
