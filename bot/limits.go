package bot

import (
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limits applies the per-user rate limit and the global concurrency limit.
type limits struct {
	perMinute int
	slots     chan struct{}

	mu    sync.Mutex
	users map[string]*rate.Limiter
	avg   time.Duration // moving average of answer durations
}

// maxTrackedUsers bounds the per-user limiter map; idle users (full
// buckets) are dropped beyond it.
const maxTrackedUsers = 4096

func newLimits(perMinute, concurrent int) *limits {
	return &limits{perMinute: perMinute, slots: make(chan struct{}, concurrent), users: map[string]*rate.Limiter{}}
}

// admit takes a question from user: one token of their bucket and one
// answering slot. It returns a release function to call with the time the
// answer took, or a notice saying when to try again.
func (l *limits) admit(user string) (release func(took time.Duration), notice string) {
	now := time.Now()
	l.mu.Lock()
	lim := l.users[user]
	if lim == nil {
		if len(l.users) >= maxTrackedUsers {
			for id, ul := range l.users {
				if ul.TokensAt(now) >= float64(ul.Burst()) {
					delete(l.users, id)
				}
			}
		}
		lim = rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.perMinute)
		l.users[user] = lim
	}
	r := lim.ReserveN(now, 1)
	l.mu.Unlock()
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return nil, fmt.Sprintf("You're asking faster than %s a minute. Try again in %d s.", plural(l.perMinute, "question"), seconds(d))
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
func (l *limits) observe(took time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.avg == 0 {
		l.avg = took
		return
	}
	l.avg = (l.avg*4 + took) / 5
}

// retryHint estimates when a slot frees up: about one average answer.
func (l *limits) retryHint() time.Duration {
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
