// Package gateway supervises the bot's connection to Discord's gateway:
// one Open at a time, each bounded by a deadline that the dial guard
// enforces, reconnection with backoff, and the state and health that
// /readyz and /healthz report.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"citebot/rag/backoff"
)

// Supervisor supervises the bot's connection to Discord's gateway.
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
type Supervisor struct {
	cfg Config

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

	stats Stats

	lost  chan struct{} // a Disconnect happened (1-buffered)
	fatal chan error    // a close code that ends Run (1-buffered)
}

// States of the gateway connection, as /readyz shows them; waits for
// Discord's limits are "waiting: …".
const (
	stateOK           = "ok"
	StateConnecting   = "connecting"
	stateReconnecting = "reconnecting"
	stateDisconnected = "disconnected"
	stateShutdown     = "shutting down"
)

// Session is what the supervisor needs of a discordgo session.
type Session interface {
	// Resumable reports whether the next Open will resume, not IDENTIFY.
	Resumable() bool
	// Open connects and establishes a session.
	Open() error
}

var _ Session = (*discordgo.Session)(nil)

// Config is what a Supervisor works with.
type Config struct {
	Session Session
	// Guard bounds the handshakes of the connections the session dials.
	Guard *DialGuard
	// BeforeIdentify waits until Discord allows an IDENTIFY; Identified
	// is called after an attempt that identified.
	BeforeIdentify func(ctx context.Context) error
	Identified     func()
	Log            *slog.Logger
	// OpenTimeout bounds an Open; StuckTimeout is how long without a
	// session makes the bot unhealthy; HTTPTimeout is the HTTP client's
	// timeout (0: none), which bounds discordgo's request for the gateway
	// URL.
	OpenTimeout, StuckTimeout, HTTPTimeout time.Duration
	// DisableReconnect leaves a lost connection lost (tests).
	DisableReconnect bool
}

// Stats counts what happened on the gateway since Run started.
type Stats struct {
	// Connects counts sessions established: READY or RESUMED received.
	Connects int
	// Resumes counts those that resumed a session, and Identifies the
	// Open attempts that sent (or would have sent) an IDENTIFY.
	Resumes, Identifies int
	// Lost counts live connections lost (dropped, RECONNECT,
	// INVALID_SESSION, missed heartbeat ACK).
	Lost int
}

// New returns a supervisor, connecting.
func New(cfg Config) *Supervisor {
	now := time.Now()
	return &Supervisor{cfg: cfg, state: StateConnecting, since: now, down: now,
		lost: make(chan struct{}, 1), fatal: make(chan error, 1)}
}

// SetState records what the connection is doing. The time without a
// session that counts towards StuckTimeout starts again when a deliberate
// wait ends.
func (g *Supervisor) SetState(state string, deliberate bool) {
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

// Current returns what the connection is doing.
func (g *Supervisor) Current() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.state
}

// connected records a live session.
func (g *Supervisor) connected(resumed bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.state, g.since, g.deliberate = stateOK, time.Now(), false
	g.stats.Connects++
	if resumed {
		g.stats.Resumes++
	}
}

// Disconnected is the Disconnect handler: the live session is lost.
func (g *Supervisor) Disconnected() {
	g.mu.Lock()
	if g.state == stateOK {
		g.state, g.since, g.down = stateReconnecting, time.Now(), time.Now()
		g.stats.Lost++
		if g.cfg.DisableReconnect {
			g.state = stateDisconnected
		}
	}
	g.mu.Unlock()
	select {
	case g.lost <- struct{}{}:
	default:
	}
}

// Health is the state and health of the connection.
type Health struct {
	// Ready reports a live session; State says what the connection is
	// doing, since Since.
	Ready bool
	State string
	Since time.Time
	// Healthy is false when the bot cannot make progress by itself and
	// should be restarted; Problem then says why.
	Healthy bool
	Problem string
	Stats   Stats
}

// Health returns the state and health of the connection. It never blocks
// on discordgo.
func (g *Supervisor) Health() Health {
	g.mu.Lock()
	defer g.mu.Unlock()
	st := Health{Ready: g.state == stateOK, State: g.state, Since: g.since, Healthy: true, Stats: g.stats}
	now := time.Now()
	switch {
	case !g.opening.IsZero() && now.Sub(g.opening) > g.stuckOpen():
		st.Healthy = false
		st.Problem = fmt.Sprintf("connecting to the gateway has not returned for %s (its deadline is %s): discordgo is stuck", now.Sub(g.opening).Round(time.Second), g.cfg.OpenTimeout)
	case g.state != stateOK && g.state != stateShutdown && !g.deliberate && now.Sub(g.down) > g.cfg.StuckTimeout:
		st.Healthy = false
		st.Problem = fmt.Sprintf("no gateway session for %s (%s)", now.Sub(g.down).Round(time.Second), g.state)
	}
	return st
}

// stuckOpen is how long an Open may run before it counts as stuck: its
// deadline, plus the longest discordgo's request for the gateway URL can
// take (it has no context), plus a margin.
func (g *Supervisor) stuckOpen() time.Duration {
	httpTimeout := g.cfg.HTTPTimeout
	if httpTimeout <= 0 {
		httpTimeout = time.Minute
	}
	return g.cfg.OpenTimeout + httpTimeout + 30*time.Second
}

// errStuck fails an attempt while a previous Open has not returned.
var errStuck = errors.New("a previous attempt to connect has not returned")

// attempt runs one Open, bounded by timeout, and records the session it
// establishes. Before an Open that will IDENTIFY it waits until Discord
// allows one.
func (g *Supervisor) attempt(ctx context.Context, timeout time.Duration) error {
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
	resume := g.cfg.Session.Resumable()
	if !resume {
		if err := g.cfg.BeforeIdentify(ctx); err != nil {
			return err
		}
		g.mu.Lock()
		g.stats.Identifies++
		g.mu.Unlock()
		defer g.cfg.Identified()
	}
	done := make(chan error, 1)
	p = make(chan struct{})
	g.mu.Lock()
	g.opening, g.pending = time.Now(), p
	g.mu.Unlock()
	go func() {
		err := g.cfg.Session.Open()
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
			g.cfg.Guard.Connected()
			g.connected(resume)
		case errors.Is(err, discordgo.ErrWSAlreadyOpen):
			// A Disconnect of a connection already replaced.
			g.SetState(stateOK, false)
		default:
			return err
		}
		return nil
	case <-t.C:
		// Ends a handshake that stalls; the Open returns once its read
		// fails, and the next attempt waits for that.
		g.cfg.Guard.AbortConn()
		return fmt.Errorf("no session within %s: %w", timeout, context.DeadlineExceeded)
	case <-ctx.Done():
		g.cfg.Guard.AbortConn()
		return ctx.Err()
	}
}

// ConnectError explains a failed gateway connection.
func ConnectError(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004:
			return errors.New("connect to Discord: the token was rejected (authentication failed); reset it in the developer portal and set DISCORD_TOKEN again")
		case 4014:
			return errors.New("connect to Discord: disallowed intents; citebot needs no privileged intent, so this is unexpected")
		}
		return fmt.Errorf("connect to Discord: the gateway closed the connection: %d %s", ce.Code, ce.Text)
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
		return errors.New("connect to Discord: the token was rejected (401 Unauthorized); reset it in the developer portal and set DISCORD_TOKEN again")
	}
	return fmt.Errorf("connect to Discord: %w", err)
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

// ConnectFirst makes the first connection. Each attempt is bounded by
// OpenTimeout; a handshake Discord interrupts (RECONNECT, INVALID_SESSION)
// is tried again, any other failure ends Run with the reason.
func (g *Supervisor) ConnectFirst(ctx context.Context) error {
	for n := 1; ; n++ {
		err := g.attempt(ctx, g.cfg.OpenTimeout)
		if err == nil {
			return nil
		}
		if !interrupted(err) || n == maxFirstAttempts || ctx.Err() != nil {
			return err
		}
		g.cfg.Log.Info("Discord interrupted the gateway handshake; connecting again", "attempt", n, "reason", err.Error())
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
func (g *Supervisor) run(ctx context.Context) {
	defer close(g.loopDone)
	for {
		select {
		case <-ctx.Done():
			return
		case <-g.lost:
		}
		if g.cfg.DisableReconnect {
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
func (g *Supervisor) reconnect(ctx context.Context) error {
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
			g.SetState(stateReconnecting, false)
		}
		err := g.attempt(ctx, g.cfg.OpenTimeout)
		switch {
		case err == nil:
			if !live {
				g.cfg.Log.Info("gateway connection restored", "attempts", failures+1)
			}
			return nil
		case ctx.Err() != nil:
			return nil
		case fatalGateway(err):
			return ConnectError(err)
		case interrupted(err) && failures == 0:
			g.cfg.Log.Info("Discord interrupted the gateway handshake; connecting again", "reason", err.Error())
		default:
			g.cfg.Log.Warn("could not reconnect to the Discord gateway; trying again", "attempt", failures+1, "error", err.Error())
		}
	}
}

// Fatal receives the error of a close code that ends the bot's run.
func (g *Supervisor) Fatal() <-chan error { return g.fatal }

// Start runs the reconnect loop.
func (g *Supervisor) Start(ctx context.Context) {
	g.loopDone = make(chan struct{})
	go g.run(ctx)
}

// Stop waits for the reconnect loop (whose context has ended) and marks
// the connection as shutting down.
func (g *Supervisor) Stop() {
	if g.loopDone != nil {
		<-g.loopDone
	}
	g.SetState(stateShutdown, true)
}

// OpenInProgress reports whether an Open is in progress.
func (g *Supervisor) OpenInProgress() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.pending != nil
}
