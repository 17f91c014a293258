package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/bot/internal/gateway"
	"citebot/bot/internal/state"
	"citebot/rag/backoff"
)

// Discord limits how often a bot may start a gateway session (IDENTIFY;
// resuming is not limited): one per 5 seconds per max_concurrency bucket,
// and a daily budget (session_start_limit, usually 1,000) beyond which
// "all active sessions for the app will be terminated, the bot token will
// be reset". A bot that exits on every failure and is restarted by its
// container manager spends that budget quickly. So:
//
//   - before every IDENTIFY the bot waits until 5 seconds have passed since
//     the last one (remembered across restarts in StateFile), reads
//     session_start_limit from GET /gateway/bot, and, when no more than a
//     small reserve is left, waits until it resets (not ready meanwhile,
//     but healthy: the wait is deliberate);
//   - a start that follows a failed one waits first: 5 s after the failed
//     start, then 10 s, 20 s, … at most 15 minutes (restartBackoff); the
//     count of failed starts is kept in StateFile and reset by a clean
//     shutdown or a run that stays up for stableAfter;
//   - registering the slash commands is retried with backoff instead of
//     ending Run (register.go).

// timings are the waits the bot keeps around Discord's limits. The zero
// value means Discord's values; only tests shorten them.
type timings struct {
	// identifySpacing is the least time between two IDENTIFYs: 5 s.
	identifySpacing time.Duration
	// restartBase is the first restart backoff: 5 s.
	restartBase time.Duration
	// registerBase is the first wait before registering the commands
	// again: 5 s.
	registerBase time.Duration
	// stableAfter is how long a run must stay connected to reset the
	// restart backoff: 10 minutes.
	stableAfter time.Duration
	// invalidBudget is how many 401, 403 and 429 answers in 10 minutes
	// make the bot stop sending requests until fewer were (internal/rest):
	// 1,000, a tenth of the number after which Discord bans the address.
	invalidBudget int
}

func (t timings) withDefaults() timings {
	positiveOr(&t.identifySpacing, 5*time.Second)
	positiveOr(&t.restartBase, 5*time.Second)
	positiveOr(&t.registerBase, 5*time.Second)
	positiveOr(&t.stableAfter, 10*time.Minute)
	positiveOr(&t.invalidBudget, 1000)
	return t
}

// Limits of the backoffs.
const (
	maxRestartBackoff  = 15 * time.Minute
	maxRegisterBackoff = 10 * time.Minute
)

// doubling returns base·2^(n-1), at most limit.
func doubling(base time.Duration, n int, limit time.Duration) time.Duration {
	if n <= 0 {
		return 0
	}
	return backoff.Doubling(n-1, base, limit)
}

// sessionStartLimit is the session_start_limit of GET /gateway/bot.
type sessionStartLimit struct {
	Total          int `json:"total"`
	Remaining      int `json:"remaining"`
	ResetAfter     int `json:"reset_after"` // milliseconds
	MaxConcurrency int `json:"max_concurrency"`
	// recommendedShards is the "shards" of GET /gateway/bot.
	recommendedShards int
}

// identifyReserve is how many session starts the bot leaves unused: when
// no more remain, it waits for the reset rather than risk the token.
func identifyReserve(total int) int { return max(1, total/100) }

// readStartLimit asks Discord for the session start limit.
func (b *Bot) readStartLimit(ctx context.Context) (sessionStartLimit, error) {
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	resp, err := b.request(ctx, b.s.Ratelimiter, restCall{what: "read the session start limit", method: "GET", url: discordgo.EndpointGatewayBot, repeatable: true})
	if err != nil {
		return sessionStartLimit{}, err
	}
	var body struct {
		Shards int                `json:"shards"`
		Limit  *sessionStartLimit `json:"session_start_limit"`
	}
	if err := json.Unmarshal(resp, &body); err != nil || body.Limit == nil {
		return sessionStartLimit{}, fmt.Errorf("read the session start limit: unexpected answer %.100q", resp)
	}
	body.Limit.recommendedShards = body.Shards
	return *body.Limit, nil
}

// beforeIdentify waits until Discord allows the bot to IDENTIFY. While it
// waits, the gateway reports "waiting: …"
// (not ready, but healthy).
func (b *Bot) beforeIdentify(ctx context.Context) error {
	prev := b.gw.Current()
	defer b.gw.SetState(prev, false)
	last := b.state.Get().LastIdentify
	if wait := time.Until(last.Add(b.opts.timings.identifySpacing)); wait > 0 {
		b.gw.SetState("waiting: one IDENTIFY per 5 seconds", true)
		b.log.Debug("waiting before identifying again (one IDENTIFY per 5 seconds)", "wait", wait.Round(time.Millisecond))
		if err := backoff.Sleep(ctx, wait); err != nil {
			return err
		}
	}
	for {
		lim, err := b.readStartLimit(ctx)
		if err != nil {
			return err
		}
		if err := b.applyShards(ctx, lim); err != nil {
			return err
		}
		if lim.Remaining > identifyReserve(lim.Total) {
			if lim.Remaining < lim.Total/10 {
				b.log.Warn("few gateway session starts left today: the bot restarts or reconnects unusually often", "remaining", lim.Remaining, "total", lim.Total)
			}
			break
		}
		wait := time.Duration(lim.ResetAfter)*time.Millisecond + time.Second
		b.gw.SetState("waiting: session start limit", true)
		b.log.Error("Discord's daily limit of gateway session starts is used up; waiting for it to reset instead of identifying (Discord resets the token of a bot that goes beyond it)",
			"remaining", lim.Remaining, "total", lim.Total, "resets_in", wait.Round(time.Second))
		if err := backoff.Sleep(ctx, wait); err != nil {
			return err
		}
	}
	return nil
}

// identified records an IDENTIFY. It is called when the attempt that sent
// it ends, which is no earlier than the IDENTIFY left: the next one then
// waits 5 seconds from a time no earlier than this one's, whatever the
// handshakes take.
func (b *Bot) identified() {
	b.save(func(p *state.Persisted) { p.LastIdentify = time.Now() })
}

// restartBackoff runs at the start of Run: after a failed start it waits
// (5 s, 10 s, 20 s, … at most 15 minutes after that start), then counts
// this start as failed until it proves otherwise (cleanShutdown or
// stable).
func (b *Bot) restartBackoff(ctx context.Context) error {
	st := b.state.Get()
	if st.Failures > 0 {
		wait := time.Until(st.LastStart.Add(doubling(b.opts.timings.restartBase, st.Failures, maxRestartBackoff)))
		if wait <= 0 {
			b.log.Info("the previous start failed; its restart backoff has already passed", "failed_starts", st.Failures)
		} else {
			b.gw.SetState("waiting: restart backoff", true)
			b.log.Warn("the previous start failed; waiting before connecting to Discord again", "failed_starts", st.Failures, "wait", wait.Round(time.Millisecond))
			if err := backoff.Sleep(ctx, wait); err != nil {
				return err
			}
		}
	}
	b.save(func(p *state.Persisted) {
		p.Failures++
		p.LastStart = time.Now()
	})
	b.gw.SetState(gateway.StateConnecting, false)
	return nil
}

// settled marks this start as a good one: the restart backoff starts over.
func (b *Bot) settled() {
	b.save(func(p *state.Persisted) { p.Failures = 0 })
}

// save is state.Store.Update that logs a failure instead of returning it: the state
// only makes restarts gentler.
func (b *Bot) save(change func(*state.Persisted)) {
	if err := b.state.Update(change); err != nil {
		b.log.Warn("could not save the bot's state", "error", err.Error())
	}
}
