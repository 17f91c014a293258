package bot

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"citebot/rag/backoff"
)

// gateway supervises the bot's connection to Discord's gateway.
//
// Design (issue 13). discordgo v0.29.0 had four gateway defects: a
// RECONNECT during the handshake deadlocked Open (it holds the session lock
// its opcode-7 handler waits for), INVALID_SESSION was answered with an
// IDENTIFY on the same connection whatever its resumable flag said,
// resume_gateway_url was never used, and a silent ("zombied") connection
// was noticed only after five heartbeat intervals and then closed with
// 1000, which ends the session. None of them can be fixed from outside
// discordgo: the deadlock is in the goroutine that holds the lock (a
// supervisor could only abandon the session, leaking a goroutine each
// time, and IDENTIFY anew), op 9 never reaches event handlers, and the
// session id and URLs are unexported. So they are fixed in a small patch
// of discordgo kept in third_party/discordgo (CITEBOT.md there has the
// diff and the reasons), and this supervisor does the rest, all from
// outside discordgo's lock:
//
//   - It owns reconnection (discordgo's own loop is off): after a lost
//     connection it calls Open, one attempt at a time, each bounded by
//     Options.OpenTimeout (the dial guard closes a handshake that outlives
//     it), with backoff between failed attempts; discordgo resumes when it
//     can and identifies when it must.
//   - Before every attempt that will IDENTIFY it waits until Discord allows
//     one (identify.go: at most one per 5 seconds, and never past the
//     daily session start limit).
//   - It reports not ready whenever there is no live session: while
//     connecting, reconnecting (a lost connection, a RECONNECT, a missed
//     heartbeat ACK: the patched discordgo closes a connection whose ACK
//     did not come before the next heartbeat) or waiting for Discord's
//     limits.
//   - As the last resort it reports unhealthy, so that the orchestrator
//     restarts the process: when an Open has not returned long after its
//     deadline (discordgo is stuck and nothing outside can unstick it), or
//     when there has been no session for Options.StuckTimeout.
//
// A close code that means the token or the configuration is wrong (4004,
// 4010 to 4014) ends Run with an error instead.
type gateway struct {
	b *Bot

	mu    sync.Mutex
	state string    // what the connection is doing; stateOK when live
	since time.Time // when state began
	// down is when the last live session was lost (or Run started).
	down time.Time
	// opening is when the Open in progress started, and pending is closed
	// when it returns; zero and nil when none runs.
	opening time.Time
	pending chan struct{}
	// deliberate reports a wait the bot chose (Discord's limits, a
	// restart backoff): not a reason to call it stuck.
	deliberate bool
	// loopDone is closed when the reconnect loop has returned.
	loopDone chan struct{}

	stats GatewayStats

	lost  chan struct{} // a Disconnect happened (1-buffered)
	fatal chan error    // a close code that ends Run (1-buffered)
}

// States of the gateway connection, as /readyz shows them.
const (
	stateOK           = "ok"
	stateConnecting   = "connecting"
	stateReconnecting = "reconnecting"
	stateDisconnected = "disconnected"
	stateShutdown     = "shutting down"
)

// GatewayStats counts what happened on the gateway since Run started.
type GatewayStats struct {
	// Connects counts sessions established: READY or RESUMED received.
	Connects int
	// Resumes counts those that resumed a session, and Identifies the
	// Open attempts that sent (or would have sent) an IDENTIFY.
	Resumes, Identifies int
	// Lost counts live connections lost (dropped, RECONNECT,
	// INVALID_SESSION, missed heartbeat ACK).
	Lost int
}

func newGateway(b *Bot) *gateway {
	now := time.Now()
	return &gateway{b: b, state: stateConnecting, since: now, down: now,
		lost: make(chan struct{}, 1), fatal: make(chan error, 1)}
}

// setState records what the connection is doing. The time without a
// session that counts towards StuckTimeout starts again when a deliberate
// wait ends.
func (g *gateway) setState(state string, deliberate bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.state != state {
		g.state, g.since = state, time.Now()
	}
	if g.deliberate && !deliberate {
		g.down = time.Now()
	}
	g.deliberate = deliberate
}

// current returns what the connection is doing.
func (g *gateway) current() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.state
}

// connected records a live session.
func (g *gateway) connected(resumed bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.state, g.since, g.deliberate = stateOK, time.Now(), false
	g.stats.Connects++
	if resumed {
		g.stats.Resumes++
	}
}

// disconnected is the Disconnect handler: the live session is lost.
func (g *gateway) disconnected() {
	g.mu.Lock()
	if g.state == stateOK {
		g.state, g.since, g.down = stateReconnecting, time.Now(), time.Now()
		g.stats.Lost++
		if g.b.opts.DisableReconnect {
			g.state = stateDisconnected
		}
	}
	g.mu.Unlock()
	select {
	case g.lost <- struct{}{}:
	default:
	}
}

// Status is the state of the bot's gateway connection, for readiness and
// health checks.
type Status struct {
	// Ready reports a live gateway session: READY or RESUMED received and
	// the connection not lost since.
	Ready bool
	// State says what the connection is doing: "ok", "connecting",
	// "reconnecting", "waiting: …" (for one of Discord's limits),
	// "disconnected" or "shutting down".
	State string
	// Since is when State began.
	Since time.Time
	// Healthy is false when the bot cannot make progress by itself and
	// should be restarted; Problem then says why.
	Healthy bool
	Problem string
	// Gateway counts connections, resumes and IDENTIFYs since Run began.
	Gateway GatewayStats
	// REST counts the requests to Discord's REST API that were refused
	// or rate-limited.
	REST RESTStats
}

// Status returns the state of the gateway connection. It never blocks on
// discordgo.
func (b *Bot) Status() Status {
	rest := b.gate.snapshot()
	g := b.gw
	g.mu.Lock()
	defer g.mu.Unlock()
	st := Status{Ready: g.state == stateOK, State: g.state, Since: g.since, Healthy: true, Gateway: g.stats, REST: rest}
	now := time.Now()
	switch {
	case !g.opening.IsZero() && now.Sub(g.opening) > g.stuckOpen():
		st.Healthy = false
		st.Problem = fmt.Sprintf("connecting to the gateway has not returned for %s (its deadline is %s): discordgo is stuck", now.Sub(g.opening).Round(time.Second), b.opts.OpenTimeout)
	case g.state != stateOK && g.state != stateShutdown && !g.deliberate && now.Sub(g.down) > b.opts.StuckTimeout:
		st.Healthy = false
		st.Problem = fmt.Sprintf("no gateway session for %s (%s)", now.Sub(g.down).Round(time.Second), g.state)
	}
	return st
}

// stuckOpen is how long an Open may run before it counts as stuck: its
// deadline, plus the longest discordgo's request for the gateway URL can
// take (it has no context), plus a margin.
func (g *gateway) stuckOpen() time.Duration {
	httpTimeout := g.b.opts.HTTPClient.Timeout
	if httpTimeout <= 0 {
		httpTimeout = time.Minute
	}
	return g.b.opts.OpenTimeout + httpTimeout + 30*time.Second
}

// Connected reports whether the bot has a live gateway session (see
// [Bot.Status]).
func (b *Bot) Connected() bool { return b.Status().Ready }

// errStuck fails an attempt while a previous Open has not returned.
var errStuck = errors.New("a previous attempt to connect has not returned")

// attempt runs one Open, bounded by timeout, and records the session it
// establishes. Before an Open that will IDENTIFY it waits until Discord
// allows one.
func (g *gateway) attempt(ctx context.Context, timeout time.Duration) error {
	g.mu.Lock()
	p := g.pending
	g.mu.Unlock()
	if p != nil {
		// discordgo runs one Open at a time; an earlier one that
		// outlived its deadline must return first.
		select {
		case <-p:
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(timeout):
			return errStuck
		}
	}
	resume := g.b.s.Resumable()
	if !resume {
		if err := g.b.beforeIdentify(ctx); err != nil {
			return err
		}
		g.mu.Lock()
		g.stats.Identifies++
		g.mu.Unlock()
		defer g.b.identified()
	}
	done := make(chan error, 1)
	p = make(chan struct{})
	g.mu.Lock()
	g.opening, g.pending = time.Now(), p
	g.mu.Unlock()
	go func() {
		err := g.b.s.Open()
		g.mu.Lock()
		g.opening, g.pending = time.Time{}, nil
		g.mu.Unlock()
		close(p)
		done <- err
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case err := <-done:
		switch {
		case err == nil:
			g.b.guard.connected()
			g.connected(resume)
		case errors.Is(err, discordgo.ErrWSAlreadyOpen):
			// A Disconnect of a connection already replaced.
			g.setState(stateOK, false)
		default:
			return err
		}
		return nil
	case <-t.C:
		// Ends a handshake that stalls; the Open returns once its read
		// fails, and the next attempt waits for that.
		g.b.guard.abortConn()
		return fmt.Errorf("no session within %s: %w", timeout, context.DeadlineExceeded)
	case <-ctx.Done():
		g.b.guard.abortConn()
		return ctx.Err()
	}
}

// interrupted reports a handshake that Discord interrupted (RECONNECT or
// INVALID_SESSION): worth another attempt at once.
func interrupted(err error) bool {
	var ise *discordgo.InvalidSessionError
	return errors.Is(err, discordgo.ErrReconnectRequested) || errors.As(err, &ise)
}

// fatalGateway reports an error that no reconnection can cure: the token
// was rejected, or the connection's settings are wrong.
func fatalGateway(err error) bool {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004, 4010, 4011, 4012, 4013, 4014:
			return true
		}
	}
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized
}

// maxFirstAttempts bounds the attempts of the first connection when
// Discord interrupts the handshakes.
const maxFirstAttempts = 5

// connectFirst makes the first connection. Each attempt is bounded by
// OpenTimeout; a handshake Discord interrupts (RECONNECT, INVALID_SESSION)
// is tried again, any other failure ends Run with the reason.
func (g *gateway) connectFirst(ctx context.Context) error {
	for n := 1; ; n++ {
		err := g.attempt(ctx, g.b.opts.OpenTimeout)
		if err == nil {
			return nil
		}
		if !interrupted(err) || n == maxFirstAttempts || ctx.Err() != nil {
			return err
		}
		g.b.log.Info("Discord interrupted the gateway handshake; connecting again", "attempt", n, "reason", err.Error())
		if err := backoff.Sleep(ctx, reconnectBackoff(n-1)); err != nil {
			return err
		}
	}
}

// reconnectBackoff is the wait before the attempt after failures failed
// ones: none after the first, then 0.5 s, 1 s, 2 s, … at most a minute,
// each between half and all of it at random.
func reconnectBackoff(failures int) time.Duration {
	if failures <= 0 {
		return 0
	}
	return backoff.Exponential(failures-1, 500*time.Millisecond, time.Minute, rand.Float64())
}

// run reconnects after every lost connection until ctx ends or a fatal
// error, which it reports on g.fatal.
func (g *gateway) run(ctx context.Context) {
	defer close(g.loopDone)
	for {
		select {
		case <-ctx.Done():
			return
		case <-g.lost:
		}
		if g.b.opts.DisableReconnect {
			continue
		}
		if err := g.reconnect(ctx); err != nil {
			if ctx.Err() == nil {
				g.fatal <- err
			}
			return
		}
	}
}

// reconnect tries until a session is live again, ctx ends, or a fatal
// error.
func (g *gateway) reconnect(ctx context.Context) error {
	for failures := 0; ; failures++ {
		if wait := reconnectBackoff(failures); wait > 0 {
			if err := backoff.Sleep(ctx, wait); err != nil {
				return nil
			}
		}
		g.mu.Lock()
		live := g.state == stateOK
		g.mu.Unlock()
		if !live {
			g.setState(stateReconnecting, false)
		}
		err := g.attempt(ctx, g.b.opts.OpenTimeout)
		switch {
		case err == nil:
			if !live {
				g.b.log.Info("gateway connection restored", "attempts", failures+1)
			}
			return nil
		case ctx.Err() != nil:
			return nil
		case fatalGateway(err):
			return connectError(err)
		case interrupted(err) && failures == 0:
			g.b.log.Info("Discord interrupted the gateway handshake; connecting again", "reason", err.Error())
		default:
			g.b.log.Warn("could not reconnect to the Discord gateway; trying again", "attempt", failures+1, "error", err.Error())
		}
	}
}

// start runs the reconnect loop.
func (g *gateway) start(ctx context.Context) {
	g.loopDone = make(chan struct{})
	go g.run(ctx)
}

// stop waits for the reconnect loop (whose context has ended) and marks
// the connection as shutting down.
func (g *gateway) stop() {
	if g.loopDone != nil {
		<-g.loopDone
	}
	g.setState(stateShutdown, true)
}

// opening reports whether an Open is in progress.
func (g *gateway) openInProgress() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.pending != nil
}
