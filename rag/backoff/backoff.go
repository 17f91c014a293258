// Package backoff holds the one rule for waiting before a retry that the
// model client (rag/openai) and the Discord bot (bot) share: an
// exponential backoff with jitter, and a sleep that ends with its context.
//
// It sits under rag, not at the top level, because the top level is fixed
// (cmd, bot, rag, corpus, config) and rag is the lowest package that bot
// imports; it is not internal because bot uses it. It imports only the
// standard library and is safe for concurrent use.
package backoff

import (
	"context"
	"fmt"
	"time"
)

// Doubling returns base·2ⁿ, at most max: the wait before retry n (from
// 0) when waits need no jitter (a single process's restarts). A negative
// n or one past the width of a Duration gives max.
func Doubling(n int, base, max time.Duration) time.Duration {
	if n >= 0 && n < 63 {
		if w := base << n; w > 0 && w>>n == base && w < max {
			return w
		}
	}
	return max
}

// Exponential returns the wait before retry n (from 0): [Doubling], scaled
// by a factor between 0.5 and 1 taken from jitter, a number in [0, 1)
// (pass rand.Float64() in production, a constant in tests). The randomness
// keeps clients that failed together from retrying together.
func Exponential(n int, base, max time.Duration, jitter float64) time.Duration {
	return time.Duration(float64(Doubling(n, base, max)) * (0.5 + jitter/2))
}

// Sleep waits for d or until ctx is done, and returns ctx's error in the
// second case. A wait that would pass ctx's deadline fails at once with an
// error wrapping [context.DeadlineExceeded], since waking after the
// deadline helps nobody.
func Sleep(ctx context.Context, d time.Duration) error {
	if dl, ok := ctx.Deadline(); ok && time.Now().Add(d).After(dl) {
		return fmt.Errorf("a wait of %s would pass the deadline: %w", d.Round(time.Millisecond), context.DeadlineExceeded)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
