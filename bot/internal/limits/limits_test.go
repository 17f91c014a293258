package limits_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"citebot/bot/internal/limits"
)

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestLimitsForgetIdleUsers(t *testing.T) {
	c := &clock{now: time.Date(2024, 10, 1, 12, 0, 0, 0, time.UTC)}
	l := limits.NewAt(6, 1<<20, c.Now)
	ask := func(user string) string {
		release, notice := l.Admit(user)
		if release != nil {
			release(10 * time.Millisecond)
		}
		return notice
	}

	// 24 minutes of traffic: every second, ten new users ask once. Without
	// eviction the limiter would end up tracking all 14400.
	peak := 0
	for sec := range 24 * 60 {
		for i := range 10 {
			ask(fmt.Sprintf("u%d-%d", sec, i))
		}
		c.Add(time.Second)
		peak = max(peak, l.Tracked())
	}
	// Users are forgotten once their bucket is full again (at most a minute
	// after their question) and sweeps run every minute.
	if want := 10 * int(2*limits.SweepInterval/time.Second); peak > want {
		t.Errorf("the limiter tracked up to %d users, want at most %d (the users of the last two minutes)", peak, want)
	}
	t.Logf("14400 users over 24 minutes: at most %d tracked at once, %d at the end", peak, l.Tracked())

	// A sweep forgets only users whose allowance is full again: one who
	// used it up half a minute before a sweep has three questions back
	// after it, not six.
	c.Add(2 * limits.SweepInterval)
	ask("trigger-a-sweep")
	c.Add(limits.SweepInterval / 2)
	for range 6 {
		if n := ask("busy-bee"); n != "" {
			t.Fatalf("a fresh user was refused: %s", n)
		}
	}
	if n := ask("busy-bee"); !strings.Contains(n, "asking faster than 6 questions a minute") {
		t.Errorf("the seventh question in a minute got %q, want a rate-limit notice", n)
	}
	c.Add(limits.SweepInterval / 2) // the next ask sweeps first
	for i := range 3 {
		if n := ask("busy-bee"); n != "" {
			t.Fatalf("question %d after 30 s refused: %s", i+1, n)
		}
	}
	if n := ask("busy-bee"); n == "" {
		t.Error("a user who had used up their allowance was forgotten by a sweep")
	}
	c.Add(2 * limits.SweepInterval)
	ask("trigger-a-sweep")
	if got := l.Tracked(); got != 1 {
		t.Errorf("after two idle minutes the limiter tracks %d users, want 1 (the one who just asked)", got)
	}
}

func TestLimitsBoundTrackedUsersUnderAFlood(t *testing.T) {
	c := &clock{now: time.Date(2024, 10, 1, 12, 0, 0, 0, time.UTC)}
	l := limits.NewAt(6, 1<<20, c.Now)
	// More distinct users within one minute than the bound: each is active,
	// so none can be forgotten; the map holds exactly the active ones, and
	// sweeps (at most once a second) keep it from holding idle ones.
	for i := range limits.MaxTrackedUsers + 100 {
		if release, _ := l.Admit(fmt.Sprint(i)); release != nil {
			release(time.Millisecond)
		}
	}
	if got := l.Tracked(); got != limits.MaxTrackedUsers+100 {
		t.Errorf("tracked %d active users, want all %d", got, limits.MaxTrackedUsers+100)
	}
	c.Add(61 * time.Second) // all buckets full again: everyone is idle
	l.Admit("new")
	if got := l.Tracked(); got != 1 {
		t.Errorf("after a minute the limiter tracks %d users, want 1", got)
	}
}
