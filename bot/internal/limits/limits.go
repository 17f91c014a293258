// Package limits is the bot's admission control: a per-user rate limit on
// questions and a bound on the answers being worked on at once.
package limits

import (
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"citebot/rag/textutil"
)

// Limiter applies the per-user rate limit and the global concurrency limit.
// It is safe for concurrent use.
//
// It keeps a token bucket per user who asked recently. A user whose bucket
// has filled up again (at most a minute after their last question) is
// idle: forgetting them loses nothing, since a new bucket starts full. Idle
// users are swept out every sweepInterval, and at once when maxTrackedUsers
// are tracked, so the map holds about the users of the last minute or two,
// however long the bot runs.
type Limiter struct {
	perMinute int
	slots     chan struct{}
	now       func() time.Time

	mu    sync.Mutex
	users map[string]*rate.Limiter
	swept time.Time
	avg   time.Duration // moving average of answer durations
}

// sweepInterval is how often idle users are forgotten; maxTrackedUsers
// tracked users trigger a sweep at once.
const (
	sweepInterval   = time.Minute
	maxTrackedUsers = 4096
)

// New returns a limiter of perMinute questions a user (a burst of as many)
// and concurrent answers at once.
func New(perMinute, concurrent int) *Limiter {
	return &Limiter{perMinute: perMinute, slots: make(chan struct{}, concurrent), users: map[string]*rate.Limiter{}, now: time.Now}
}

// sweepLocked forgets idle users.
func (l *Limiter) sweepLocked(now time.Time) {
	for id, ul := range l.users {
		if ul.TokensAt(now) >= float64(ul.Burst()) {
			delete(l.users, id)
		}
	}
	l.swept = now
}

// Tracked returns how many users have a bucket.
func (l *Limiter) Tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.users)
}

// Admit takes a question from user: one token of their bucket and one
// answering slot. It returns a release function to call with the time the
// answer took, or a notice saying when to try again.
func (l *Limiter) Admit(user string) (release func(took time.Duration), notice string) {
	now := l.now()
	l.mu.Lock()
	if now.Sub(l.swept) >= sweepInterval || len(l.users) >= maxTrackedUsers && now.Sub(l.swept) >= time.Second {
		l.sweepLocked(now)
	}
	lim := l.users[user]
	if lim == nil {
		lim = rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.perMinute)
		l.users[user] = lim
	}
	r := lim.ReserveN(now, 1)
	l.mu.Unlock()
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return nil, fmt.Sprintf("You're asking faster than %s a minute. Try again in %d s.", textutil.Plural(l.perMinute, "question"), seconds(d))
	}
	select {
	case l.slots <- struct{}{}:
	default:
		r.CancelAt(now) // a busy reply does not use up the user's allowance
		return nil, fmt.Sprintf("citebot is busy answering other questions. Try again in %d s.", seconds(l.retryHint()))
	}
	var once sync.Once
	return func(took time.Duration) {
		once.Do(func() {
			<-l.slots
			l.observe(took)
		})
	}, ""
}

// observe folds an answer's duration into the moving average.
func (l *Limiter) observe(took time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.avg == 0 {
		l.avg = took
		return
	}
	l.avg = (l.avg*4 + took) / 5
}

// retryHint estimates when a slot frees up: about one average answer.
func (l *Limiter) retryHint() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.avg == 0 {
		return 5 * time.Second
	}
	return l.avg
}

// seconds rounds a wait up to whole seconds, at least 1 and at most 60.
func seconds(d time.Duration) int {
	return int(math.Min(60, math.Max(1, math.Ceil(d.Seconds()))))
}
