// Package rest holds the bot's guards and retry policy for Discord's REST
// API: the HTTP transport every request goes through (a global 429 pauses
// every request; 401, 403 and 429 answers are counted and capped), and
// when and after how long a failed request is worth another attempt.
package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Gate is the HTTP transport of every request the bot makes to Discord's
// REST API, discordgo's own included. It adds what discordgo's rate
// limiter lacks (issue 13, item 12):
//
//   - A global 429 pauses every request of the bot until its retry_after
//     has passed. Discord's documented global 429 has "global": true in
//     its body and an X-RateLimit-Global header but no
//     X-RateLimit-Reset-After, and discordgo pauses globally only when
//     that header is there, so it paused only the request that got the
//     429. Interaction callbacks and interaction webhooks are not paused:
//     Discord says "Interaction endpoints are not bound to the bot's
//     Global Rate Limit", and acknowledgements have 3 seconds.
//   - It counts the 401, 403 and 429 answers (except 429s of scope
//     "shared", which Discord does not count) of the last 10 minutes.
//     Discord bans an IP address from its API for a while after 10,000;
//     when the count reaches invalidBudget (1,000 by default) the gate
//     refuses requests without sending them until it falls below again,
//     and says so in the log.
type Gate struct {
	next   http.RoundTripper
	log    *slog.Logger
	budget int

	mu      sync.Mutex
	until   time.Time   // end of a global pause
	invalid []time.Time // recent 401, 403 and counted 429 answers, oldest first
	stats   Stats
	refused bool // the budget was reached (logged once)
}

// NewGate returns a gate in front of next that refuses requests while
// budget or more in the last 10 minutes were invalid.
func NewGate(next http.RoundTripper, log *slog.Logger, budget int) *Gate {
	return &Gate{next: next, log: log, budget: budget}
}

// invalidWindow is the period Discord counts invalid requests over.
const invalidWindow = 10 * time.Minute

// Stats counts what the bot's requests to Discord's REST API ran
// into.
type Stats struct {
	// Unauthorized, Forbidden and TooManyRequests count 401, 403 and 429
	// answers since the bot started.
	Unauthorized, Forbidden, TooManyRequests int
	// InvalidLast10m counts the answers Discord counts towards its ban
	// (401, 403, and 429 other than of scope "shared") in the last 10
	// minutes.
	InvalidLast10m int
	// GlobalPauses counts global 429s, each of which paused every request.
	GlobalPauses int
	// Refused counts requests not sent because too many were invalid.
	Refused int
}

// errInvalidBudget refuses a request while too many were invalid.
var errInvalidBudget = errors.New("not sent: too many requests to Discord were refused (401, 403, 429) in the last 10 minutes; pausing to stay clear of Discord's ban")

// exemptFromGlobal reports a request Discord does not count against the
// global rate limit: an interaction callback or an interaction webhook.
func exemptFromGlobal(path string) bool {
	return strings.Contains(path, "/interactions/") || strings.Contains(path, "/webhooks/")
}

// RoundTrip sends req unless the invalid-request budget is spent, after
// any global pause, and counts the 401, 403 and 429 answers.
func (g *Gate) RoundTrip(req *http.Request) (*http.Response, error) {
	if !exemptFromGlobal(req.URL.Path) {
		if err := g.waitGlobal(req.Context()); err != nil {
			return nil, err
		}
	}
	if !g.allow() {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, errInvalidBudget
	}
	resp, err := g.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		g.count(resp.StatusCode, true)
	case http.StatusTooManyRequests:
		g.count(resp.StatusCode, resp.Header.Get("X-RateLimit-Scope") != "shared")
		g.tooMany(req, resp)
	}
	return resp, nil
}

// waitGlobal waits for the end of a global pause.
func (g *Gate) waitGlobal(ctx context.Context) error {
	for {
		g.mu.Lock()
		wait := time.Until(g.until)
		g.mu.Unlock()
		if wait <= 0 {
			return nil
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("waiting for Discord's global rate limit: %w", ctx.Err())
		}
	}
}

// trimLocked drops the invalid answers older than the window.
func (g *Gate) trimLocked(now time.Time) {
	i := 0
	for i < len(g.invalid) && now.Sub(g.invalid[i]) > invalidWindow {
		i++
	}
	g.invalid = g.invalid[i:]
}

// allow reports whether a request may be sent: not while the invalid
// answers of the last 10 minutes are at the budget.
func (g *Gate) allow() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.trimLocked(time.Now())
	if len(g.invalid) < g.budget {
		if g.refused {
			g.refused = false
			g.log.Info("requests to Discord resume: few enough were refused in the last 10 minutes")
		}
		return true
	}
	g.stats.Refused++
	if !g.refused {
		g.refused = true
		g.log.Error("too many requests to Discord were refused (401, 403, 429) in the last 10 minutes; not sending any until fewer were (Discord bans an IP address from its API after 10,000)",
			"refused_last_10m", len(g.invalid), "budget", g.budget)
	}
	return false
}

// count records a 401, 403 or 429 answer.
func (g *Gate) count(status int, invalid bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch status {
	case http.StatusUnauthorized:
		g.stats.Unauthorized++
	case http.StatusForbidden:
		g.stats.Forbidden++
	case http.StatusTooManyRequests:
		g.stats.TooManyRequests++
	}
	if invalid {
		now := time.Now()
		g.trimLocked(now)
		g.invalid = append(g.invalid, now)
	}
}

// tooMany starts a global pause when a 429 is global: the
// X-RateLimit-Global header or "global": true in the body (read and put
// back for the caller).
func (g *Gate) tooMany(req *http.Request, resp *http.Response) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return
	}
	var rl struct {
		Global     bool    `json:"global"`
		RetryAfter float64 `json:"retry_after"`
	}
	_ = json.Unmarshal(body, &rl)
	if !rl.Global && resp.Header.Get("X-RateLimit-Global") == "" {
		return
	}
	wait := time.Duration(rl.RetryAfter * float64(time.Second))
	if wait <= 0 {
		if secs, err := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); err == nil {
			wait = time.Duration(secs * float64(time.Second))
		}
	}
	if wait <= 0 {
		wait = time.Second
	}
	g.mu.Lock()
	if until := time.Now().Add(wait); until.After(g.until) {
		g.until = until
	}
	g.stats.GlobalPauses++
	g.mu.Unlock()
	g.log.Warn("Discord's global rate limit: pausing every request", "wait", wait.Round(time.Millisecond), "request", req.Method+" "+req.URL.Path)
}

// Snapshot returns the counters.
func (g *Gate) Snapshot() Stats {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.trimLocked(time.Now())
	st := g.stats
	st.InvalidLast10m = len(g.invalid)
	return st
}

// CloseIdleConnections closes the idle connections of the transport
// underneath.
func (g *Gate) CloseIdleConnections() {
	if c, ok := g.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
