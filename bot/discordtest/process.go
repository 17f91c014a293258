package discordtest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

// Log collects a bot's log output during a test. It is safe for
// concurrent use; the zero value is ready.
type Log struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// WaitFor waits until the log holds s. It reports false if ctx ends first.
func (l *Log) WaitFor(ctx context.Context, s string) bool {
	for !strings.Contains(l.String(), s) {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(5 * time.Millisecond):
		}
	}
	return true
}

// Limits of [WaitContext], [Start] and [Process.Wait].
const (
	// WaitTimeout bounds one wait of a test on the fake or a bot.
	WaitTimeout = 15 * time.Second
	// StartTimeout is how long Start waits for the ready line.
	StartTimeout = 20 * time.Second
	// StopTimeout is how long Wait and Stop wait for run to return.
	StopTimeout = 30 * time.Second
)

// WaitContext returns a context for one wait of a test (for a request, a
// log line, a gateway state): it ends after [WaitTimeout] or with the test.
func WaitContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
	tb.Cleanup(cancel)
	return ctx
}

// Process is a bot running in the background of a test: a bot.Bot's Run,
// or `citebot serve`.
type Process struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// Start calls run in a goroutine and waits until log holds ready (for
// citebot, "citebot is online": commands registered). The test fails if
// run returns first or ready does not come within [StartTimeout]. When the
// test ends, run's context is cancelled and the cleanup waits for it to
// return.
func Start(tb testing.TB, log *Log, ready string, run func(ctx context.Context) error) *Process {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &Process{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.err = run(ctx)
	}()
	wait, stop := context.WithTimeout(context.Background(), StartTimeout)
	defer stop()
	go func() {
		select {
		case <-p.done:
			stop() // run returned: stop waiting for the ready line
		case <-wait.Done():
		}
	}()
	if !log.WaitFor(wait, ready) {
		cancel()
		<-p.done
		tb.Fatalf("no %q in the logs within %s (run returned %v):\n%s", ready, StartTimeout, p.err, log)
	}
	tb.Cleanup(func() {
		cancel()
		<-p.done
	})
	return p
}

// Cancel cancels run's context (as SIGINT would) without waiting.
func (p *Process) Cancel() { p.cancel() }

// Stop cancels run's context and returns run's result (see [Process.Wait]).
func (p *Process) Stop(tb testing.TB) error {
	tb.Helper()
	p.cancel()
	return p.Wait(tb)
}

// Wait returns run's result once run returns; the test fails if it has
// not within [StopTimeout].
func (p *Process) Wait(tb testing.TB) error {
	tb.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(StopTimeout):
		tb.Fatalf("run did not return within %s", StopTimeout)
		return nil
	}
}

// BurstUsers returns the askers of a load test of n interactions, in the
// order they ask. Most users ask once; n/40 (at least one) "heavy" users
// ask ten times in a row. The first heavy user's ten come first, while
// the bot still has free answering slots, so what a rate limit does to
// them does not depend on the load; everyone else comes in random order.
func (s *Server) BurstUsers(n int) []User {
	var who []User
	for i := range max(1, n/40) {
		u := s.NewUser(fmt.Sprintf("heavy%d", i))
		for range 10 {
			who = append(who, u)
		}
	}
	for i := 0; len(who) < n; i++ {
		who = append(who, s.NewUser(fmt.Sprintf("user%d", i)))
	}
	rest := who[10:]
	rand.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	return who[:n]
}
