package bot

import (
	"context"
	"sync"
	"time"
)

// Discord limits how often a bot may start a gateway session (IDENTIFY;
// resuming is not limited): one per 5 seconds per max_concurrency bucket,
// and a daily budget (session_start_limit, usually 1,000) beyond which
// "all active sessions for the app will be terminated, the bot token will
// be reset". The bot checks before every IDENTIFY (beforeIdentify).

// timings are the waits the bot keeps around Discord's limits. The zero
// value means Discord's values; only tests shorten them.
type timings struct {
	// identifySpacing is the least time between two IDENTIFYs: 5 s.
	identifySpacing time.Duration
}

func (t timings) withDefaults() timings {
	if t.identifySpacing <= 0 {
		t.identifySpacing = 5 * time.Second
	}
	return t
}

// identifies remembers when the bot last identified.
type identifies struct {
	mu   sync.Mutex
	last time.Time
}

func (i *identifies) lastAt() time.Time {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.last
}

func (i *identifies) record(t time.Time) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.last = t
}

// beforeIdentify waits until Discord allows the bot to IDENTIFY, then
// records that it does.
func (b *Bot) beforeIdentify(ctx context.Context) error {
	if wait := time.Until(b.ids.lastAt().Add(b.opts.timings.identifySpacing)); wait > 0 {
		b.log.Debug("waiting before identifying again (one IDENTIFY per 5 seconds)", "wait", wait.Round(time.Millisecond))
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
	b.ids.record(time.Now())
	return nil
}
