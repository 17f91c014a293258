package bot_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"citebot/bot"
	"citebot/bot/discordtest"
)

// Issue 13, item 11: a crash loop could get the token reset. Commands were
// registered after IDENTIFY and any registration failure ended Run, so a
// wrong guild id under `restart: unless-stopped` meant an IDENTIFY every
// few seconds, and Discord resets the token of a bot beyond 1,000 a day.

// newBot makes a bot against fake that logs to logs.
func newBot(t *testing.T, fake *discordtest.Server, logs *discordtest.Log, opts bot.Options) *bot.Bot {
	t.Helper()
	if opts.Token == "" {
		opts.Token = fake.Token()
	}
	opts.HTTPClient = fake.Client()
	opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if opts.Answerer == nil {
		opts.Answerer = answerWith(bidenXiAnswer())
	}
	opts.Searcher = noSearch{}
	opts.Library = library(testArticles())
	bot.FastTimings(&opts)
	b, err := bot.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRegistrationFailureIsRetried: a failed registration (here a 403, as
// for a guild the bot was not invited to with the applications.commands
// scope) is logged and retried with backoff while the bot answers
// mentions; it used to end Run (exit 1, then a restart and an IDENTIFY).
func TestRegistrationFailureIsRetried(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	const route = "PUT /applications/{application}/guilds/{guild}/commands"
	fake.Fail(route, 2, 403)
	hold := fake.Hold(route) // the first attempt waits, refused, until the mention is answered
	logs := &discordtest.Log{}
	b := newBot(t, fake, logs, bot.Options{GuildID: fake.GuildID})
	p := discordtest.Start(t, logs, "gateway session ready", b.Run)
	select {
	case <-hold.Arrived():
	case <-waitCtx(t).Done():
		t.Fatalf("no registration:\n%s", logs)
	}
	msg, err := fake.Post(discordtest.Post{Author: fake.NewUser("ann"), Content: "<@" + fake.BotUser.ID + "> when did they speak?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitReply(waitCtx(t), msg.ID); err != nil {
		t.Fatalf("the mention was not answered while registering: %v\n%s", err, logs)
	}
	hold.Release()
	if !logs.WaitFor(waitCtx(t), "citebot is online") {
		t.Fatalf("the commands were never registered:\n%s", logs)
	}
	if got := statuses(attempts(fake, discordtest.Interaction{}, route)); len(got) != 3 || got[0] != 403 || got[1] != 403 || got[2] != 200 {
		t.Errorf("registrations answered %v, want [403 403 200]", got)
	}
	if n := strings.Count(logs.String(), "could not register the slash commands"); n != 2 {
		t.Errorf("%d registration failures logged, want 2:\n%s", n, logs)
	}
	if st := fake.GatewayStats(); st.Identifies != 1 {
		t.Errorf("%d IDENTIFYs, want 1", st.Identifies)
	}
	if err := p.Stop(t); err != nil {
		t.Errorf("Run returned %v", err)
	}
}

// TestSessionStartLimitIsRespected: with no session starts left, the bot
// waits for the limit to reset instead of identifying (which would get the
// token reset), not ready but healthy meanwhile.
func TestSessionStartLimitIsRespected(t *testing.T) {
	t.Parallel()
	const reset = 300 * time.Millisecond
	start := time.Now()
	fake := discordtest.New(t, discordtest.Options{SessionStartLimit: discordtest.SessionStartLimit{Total: 1000, Remaining: 0, ResetAfter: reset}})
	logs := &discordtest.Log{}
	b := newBot(t, fake, logs, bot.Options{})
	// Watch the status from the start: the wait lasts over a second.
	var waiting atomic.Bool
	watch, stopWatch := context.WithCancel(context.Background())
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for watch.Err() == nil {
			if st := b.Status(); st.State == "waiting: session start limit" && !st.Ready && st.Healthy {
				waiting.Store(true)
			}
			time.Sleep(time.Millisecond)
		}
	}()
	p := discordtest.Start(t, logs, "citebot is online", b.Run)
	stopWatch()
	<-watched
	if !waiting.Load() {
		t.Errorf("the status never said \"waiting: session start limit\" (not ready, healthy) while the bot waited:\n%s", logs)
	}
	if !strings.Contains(logs.String(), "daily limit of gateway session starts is used up") {
		t.Errorf("the wait is not logged:\n%s", logs)
	}
	st := fake.GatewayStats()
	if st.TokenReset || st.Identifies != 1 {
		t.Fatalf("gateway %+v, want one IDENTIFY and the token kept", st)
	}
	if at := st.IdentifyTimes[0].Sub(start); at < reset {
		t.Errorf("identified %s after the fake started, before the limit reset (%s)", at, reset)
	}
	if err := p.Stop(t); err != nil {
		t.Errorf("Run returned %v", err)
	}
}

// TestRestartBackoff: a start that follows a failed one waits (the count
// of failed starts is kept in the state directory), a clean shutdown
// resets it, and the state file records the IDENTIFY.
func TestRestartBackoff(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fake := discordtest.New(t, discordtest.Options{})

	// A start that fails: the token is refused.
	failedStart := time.Now()
	b := newBot(t, fake, &discordtest.Log{}, bot.Options{StateDir: dir, Token: "MTIz.wrong.token"})
	if err := b.Run(context.Background()); err == nil {
		t.Fatal("Run with a refused token returned nil")
	}
	// The next start waits until 300 ms (the shortened first backoff)
	// after it; on a busy machine that time may have passed already, and
	// the start says so instead of waiting.
	logs := &discordtest.Log{}
	p := discordtest.Start(t, logs, "citebot is online", newBot(t, fake, logs, bot.Options{StateDir: dir}).Run)
	if !strings.Contains(logs.String(), "the previous start failed; ") {
		t.Errorf("the start after a failure did not back off:\n%s", logs)
	}
	st := fake.GatewayStats()
	if at := st.IdentifyTimes[0].Sub(failedStart); at < 300*time.Millisecond {
		t.Errorf("identified %s after the failed start, want at least the 300ms backoff", at)
	}
	if err := p.Stop(t); err != nil {
		t.Errorf("Run returned %v", err)
	}
	var saved struct {
		Failures     int       `json:"failures"`
		LastIdentify time.Time `json:"last_identify"`
	}
	data, err := os.ReadFile(filepath.Join(dir, bot.StateFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &saved); err != nil || saved.Failures != 0 || saved.LastIdentify.IsZero() {
		t.Errorf("state after a clean shutdown: %s (%v), want no failures and the IDENTIFY recorded", data, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, bot.StateFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, %v; want 0600", fi.Mode(), err)
	}
	// After a clean shutdown, no backoff.
	logs = &discordtest.Log{}
	p = discordtest.Start(t, logs, "citebot is online", newBot(t, fake, logs, bot.Options{StateDir: dir}).Run)
	if strings.Contains(logs.String(), "the previous start failed") {
		t.Errorf("a start after a clean shutdown backed off:\n%s", logs)
	}
	if err := p.Stop(t); err != nil {
		t.Errorf("Run returned %v", err)
	}
}

// TestWaitingForDiscordIsNotStuck: while the bot waits for one of
// Discord's limits (here the day's session starts, used up and reset in an
// hour) it is not ready but healthy, however long the wait lasts: a
// restart would only IDENTIFY sooner. StuckTimeout is a nanosecond, so any
// time without a session outside the wait would count; the test waits for
// the wait to begin (its log line), never for time.
func TestWaitingForDiscordIsNotStuck(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{SessionStartLimit: discordtest.SessionStartLimit{Total: 1000, Remaining: 0, ResetAfter: time.Hour}})
	logs := &discordtest.Log{}
	b := newBot(t, fake, logs, bot.Options{StuckTimeout: time.Nanosecond})
	p := discordtest.Start(t, logs, "gateway session starts is used up", b.Run)
	st := b.Status()
	if st.State != "waiting: session start limit" || st.Ready || !st.Healthy {
		t.Errorf("while waiting for the session start limit: state %q, ready %v, healthy %v (%s); want waiting, not ready, healthy",
			st.State, st.Ready, st.Healthy, st.Problem)
	}
	if n := fake.GatewayStats().Identifies; n != 0 {
		t.Errorf("%d IDENTIFYs with no session starts left, want 0", n)
	}
	if err := p.Stop(t); err != nil {
		t.Errorf("Run returned %v", err)
	}
}
