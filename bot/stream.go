package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"citebot/bot/internal/render"
)

// streamer shows a model's answer while it is written: it edits the
// deferred response with the text so far, at most once per interval, from
// one goroutine, so that a fast model does not run into Discord's edit
// rate limit.
type streamer struct {
	b        *Bot
	ctx      context.Context
	x        *exchange
	question string
	interval time.Duration

	mu      sync.Mutex
	text    strings.Builder
	version int

	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	started sync.Once
}

func (b *Bot) newStreamer(ctx context.Context, x *exchange, question string) *streamer {
	return &streamer{b: b, ctx: ctx, x: x, question: question, interval: b.opts.StreamInterval,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// maxStreamBytes bounds the text kept while streaming; the embed shows at
// most 4096 characters anyway.
const maxStreamBytes = 16 << 10

// add is the query's OnDelta: it appends a fragment and wakes the editor.
func (st *streamer) add(fragment string) {
	st.started.Do(func() { go st.run() })
	st.mu.Lock()
	if st.text.Len() < maxStreamBytes {
		st.text.WriteString(fragment)
	}
	st.version++
	st.mu.Unlock()
	select {
	case st.kick <- struct{}{}:
	default:
	}
}

func (st *streamer) run() {
	defer close(st.done)
	var last time.Time
	sent := 0
	for {
		select {
		case <-st.kick:
		case <-st.stop:
			return
		}
		if wait := time.Until(last.Add(st.interval)); !last.IsZero() && wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-st.stop:
				t.Stop()
				return
			}
		}
		st.mu.Lock()
		text, v := st.text.String(), st.version
		st.mu.Unlock()
		if v == sent {
			continue
		}
		// One attempt: the next edit, or the final one, supersedes it.
		if err := st.b.editOriginal(st.ctx, st.x, render.Progress(st.question, text), 1); err != nil {
			st.b.log.Debug("streaming edit failed", "interaction", st.x.i.ID, "error", err.Error())
			if errors.Is(err, errGone) || st.x.gone.Load() {
				return // deleted: no more edits (see exchange.gone)
			}
		}
		sent, last = v, time.Now()
	}
}

// finish stops the editor and waits for an edit in flight, so that the
// final answer is the last edit.
func (st *streamer) finish() {
	started := true
	st.started.Do(func() { started = false })
	close(st.stop)
	if started {
		<-st.done
	}
}
