package bot_test

import (
	"strings"
	"testing"
	"time"

	"citebot/bot"
	"citebot/bot/discordtest"
)

// These tests check the bot's gateway connection against the faults real
// Discord produces and bot/discordtest can send: RECONNECT and
// INVALID_SESSION at any point, silent ("zombied") connections, and the
// resume_gateway_url. Each ends with a question answered over the
// connection that survived, and checks what the fake recorded: how many
// IDENTIFYs (each counts against the daily session start limit, resumes
// do not), the close codes the bot sent, and protocol violations.

// fastGateway is a fake whose heartbeats are frequent, so that a silent
// connection shows quickly.
func fastGateway(t *testing.T) *discordtest.Server {
	return discordtest.New(t, discordtest.Options{HeartbeatInterval: 100 * time.Millisecond})
}

// startSupervised runs a bot that reconnects by itself, with short waits
// around Discord's limits.
func startSupervised(t *testing.T, fake *discordtest.Server, opts bot.Options) *running {
	t.Helper()
	if opts.Answerer == nil {
		opts.Answerer = answerWith(bidenXiAnswer())
	}
	bot.FastTimings(&opts)
	return startBotReconnecting(t, fake, opts)
}

// answered asks a question and waits for its answer.
func answered(t *testing.T, r *running, who string) {
	t.Helper()
	in := ask(t, r.fake, r.fake.NewUser(who), "when did they speak?")
	waitEdit(t, r.fake, in, isFinal)
}

// noViolations fails the test if the bot broke a gateway rule.
func noViolations(t *testing.T, r *running) {
	t.Helper()
	if v := r.fake.Violations(); len(v) > 0 {
		t.Errorf("protocol violations:\n%s\n%s", strings.Join(v, "\n"), r.logs)
	}
}

// closeCodes checks that the bot never closed with 1000 or 1001, which end
// the session.
func closeCodes(t *testing.T, st discordtest.GatewayStats) {
	t.Helper()
	for _, c := range st.ClientCloseCodes {
		if c == 1000 || c == 1001 {
			t.Errorf("the bot closed a connection with %d, which ends the session (close codes %v)", c, st.ClientCloseCodes)
		}
	}
}

// TestReconnectDuringHandshake (issue 13, item 8): a RECONNECT before
// HELLO, before READY or during RESUME deadlocked discordgo's Open, which
// holds the session lock while its opcode-7 handler waits for the same
// lock: at start-up the bot gave up after its connect timeout, during a
// reconnect it hung for good and so did shutdown.
func TestReconnectDuringHandshake(t *testing.T) {
	t.Parallel()
	t.Run("at start-up", func(t *testing.T) {
		for _, at := range []discordtest.Stage{discordtest.BeforeHello, discordtest.BeforeReady} {
			t.Run(at.String(), func(t *testing.T) {
				t.Parallel()
				fake := fastGateway(t)
				fake.Interrupt(discordtest.Interruption{At: at, Op: 7})
				r := startSupervised(t, fake, bot.Options{OpenTimeout: 5 * time.Second})
				answered(t, r, "ann")
				st := fake.GatewayStats()
				if st.Reconnects != 1 || fake.PendingInterruptions() != 0 {
					t.Errorf("stats %+v: the RECONNECT was not sent", st)
				}
				noViolations(t, r)
				if err := r.Stop(t); err != nil {
					t.Errorf("Run returned %v", err)
				}
			})
		}
	})
	t.Run("while resuming", func(t *testing.T) {
		for _, at := range []discordtest.Stage{discordtest.BeforeHello, discordtest.DuringResume} {
			t.Run(at.String(), func(t *testing.T) {
				t.Parallel()
				fake := fastGateway(t)
				r := startSupervised(t, fake, bot.Options{})
				answered(t, r, "ann")
				fake.Interrupt(discordtest.Interruption{At: at, Op: 7})
				// Dropped, the bot resumes and meets the RECONNECT in
				// that handshake.
				before := fake.GatewayStats()
				if err := fake.Disrupt(waitCtx(t), (*discordtest.Server).DropConnection); err != nil {
					t.Fatal(err)
				}
				// A question asked while the bot is away is replayed.
				in := ask(t, fake, fake.NewUser("bob"), "when did they speak?")
				if err := fake.WaitGateway(waitCtx(t), func(st discordtest.GatewayStats) bool {
					return st.Resumed > before.Resumed && st.Connected
				}); err != nil {
					t.Fatalf("%v\n%s", err, r.logs)
				}
				waitEdit(t, fake, in, isFinal)
				st := fake.GatewayStats()
				if st.Reconnects != 1 || fake.PendingInterruptions() != 0 {
					t.Errorf("stats %+v: the RECONNECT was not sent", st)
				}
				if st.Identifies != 1 {
					t.Errorf("%d IDENTIFYs, want 1: every reconnection must resume", st.Identifies)
				}
				closeCodes(t, st)
				noViolations(t, r)
				if err := r.Stop(t); err != nil {
					t.Errorf("Run returned %v", err)
				}
			})
		}
	})
	t.Run("while identifying again", func(t *testing.T) {
		t.Parallel()
		fake := fastGateway(t)
		r := startSupervised(t, fake, bot.Options{})
		answered(t, r, "ann")
		// The session ends; the bot identifies on a new connection and
		// meets the RECONNECT before READY, so it identifies once more.
		fake.Interrupt(discordtest.Interruption{At: discordtest.BeforeReady, Op: 7})
		if err := fake.InvalidateSession(); err != nil {
			t.Fatal(err)
		}
		if err := fake.WaitGateway(waitCtx(t), func(st discordtest.GatewayStats) bool { return st.Ready == 2 && st.Connected }); err != nil {
			t.Fatalf("%v\n%s", err, r.logs)
		}
		answered(t, r, "bob")
		if st := fake.GatewayStats(); st.Identifies != 3 || st.Reconnects != 1 {
			t.Errorf("stats %+v, want 3 IDENTIFYs (start, after INVALID_SESSION, after RECONNECT) and the RECONNECT sent", st)
		}
		noViolations(t, r)
		if err := r.Stop(t); err != nil {
			t.Errorf("Run returned %v", err)
		}
	})
}

// TestZombieConnectionIsResumed (issue 13, item 9): when heartbeats stop
// being acknowledged while the socket stays open, discordgo waited five
// intervals, then closed with 1000, which ends the session: questions
// asked meanwhile were lost. The bot must give up the connection when the
// next heartbeat is due without an ACK (Discord: "between its attempts at
// sending heartbeats"), close it with a code that keeps the session, and
// resume, so that the question asked meanwhile is replayed and answered.
func TestZombieConnectionIsResumed(t *testing.T) {
	t.Parallel()
	fake := fastGateway(t)
	r := startSupervised(t, fake, bot.Options{})
	answered(t, r, "ann")
	if err := fake.Disrupt(waitCtx(t), (*discordtest.Server).StopHeartbeatAcks); err != nil {
		t.Fatal(err)
	}
	in := ask(t, fake, fake.NewUser("bob"), "when did they speak?")
	if err := fake.WaitGateway(waitCtx(t), func(st discordtest.GatewayStats) bool { return st.Resumed >= 1 && st.Connected }); err != nil {
		t.Fatalf("%v\n%s", err, r.logs)
	}
	waitEdit(t, fake, in, isFinal)
	st := fake.GatewayStats()
	t.Logf("close codes %v, %d unacknowledged heartbeats, %d identify, %d resumed, %d replayed", st.ClientCloseCodes, st.UnackedHeartbeats, st.Identifies, st.Resumed, st.Replayed)
	// The heartbeat after the silence goes unanswered; when the next one
	// is due the bot gives the connection up instead of sending it. (On a
	// loaded machine the bot may give a connection up even sooner, for an
	// ACK it read late: then none.)
	if st.UnackedHeartbeats > 1 {
		t.Errorf("%d heartbeats sent without an ACK, want at most 1: the next one is due when the missing ACK shows", st.UnackedHeartbeats)
	}
	if len(st.ClientCloseCodes) == 0 {
		t.Errorf("the silent connection was not closed with a close frame")
	}
	closeCodes(t, st)
	if st.Identifies != 1 {
		t.Errorf("%d IDENTIFYs, want 1 (resumed)", st.Identifies)
	}
	noViolations(t, r)
}

// TestInvalidSessionOpensANewConnection (issue 13, item 10):
// INVALID_SESSION must be answered on a new connection, with RESUME when
// its d is true (the events of the gap are replayed) and IDENTIFY when it
// is false; discordgo sent IDENTIFY on the same connection either way.
func TestInvalidSessionOpensANewConnection(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		resumable bool
		// during puts the INVALID_SESSION in the handshake of a resume
		// after a dropped connection.
		during bool
	}{
		{"d true", true, false},
		{"d false", false, false},
		{"d true during RESUME", true, true},
		{"d false during RESUME", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := fastGateway(t)
			r := startSupervised(t, fake, bot.Options{})
			answered(t, r, "ann")
			before := fake.GatewayStats()
			if tc.during {
				fake.Interrupt(discordtest.Interruption{At: discordtest.DuringResume, Op: 9, Resumable: tc.resumable})
				if err := fake.Disrupt(waitCtx(t), (*discordtest.Server).DropConnection); err != nil {
					t.Fatal(err)
				}
			} else if err := fake.InvalidSession(tc.resumable); err != nil {
				t.Fatal(err)
			}
			in := ask(t, fake, fake.NewUser("bob"), "when did they speak?")
			back := func(st discordtest.GatewayStats) bool {
				if tc.resumable {
					return st.Resumed > before.Resumed && st.Connected
				}
				return st.Ready > before.Ready && st.Connected
			}
			if err := fake.WaitGateway(waitCtx(t), back); err != nil {
				t.Fatalf("%v\n%s", err, r.logs)
			}
			st := fake.GatewayStats()
			if st.Connections <= before.Connections+map[bool]int{true: 1, false: 0}[tc.during] {
				t.Errorf("%d connections before, %d after: the bot did not open a new one", before.Connections, st.Connections)
			}
			wantIdentifies := before.Identifies
			if !tc.resumable {
				wantIdentifies++
			}
			if st.Identifies != wantIdentifies {
				t.Errorf("%d IDENTIFYs, want %d", st.Identifies, wantIdentifies)
			}
			if tc.resumable {
				// The question of the gap is replayed.
				waitEdit(t, fake, in, isFinal)
			}
			answered(t, r, "carol")
			closeCodes(t, st)
			noViolations(t, r)
		})
	}
}

// TestResumeUsesResumeGatewayURL (issue 13, item 10): a session is resumed
// on the resume_gateway_url READY gave, not on the URL of GET /gateway
// (Discord: apps that do not "will experience disconnects at a higher rate
// than normal"); a new session starts on the cached URL.
func TestResumeUsesResumeGatewayURL(t *testing.T) {
	t.Parallel()
	fake := fastGateway(t)
	r := startSupervised(t, fake, bot.Options{})
	for i := range 2 {
		before := fake.GatewayStats()
		if err := fake.Disrupt(waitCtx(t), (*discordtest.Server).DropConnection); err != nil {
			t.Fatal(err)
		}
		if err := fake.WaitGateway(waitCtx(t), func(st discordtest.GatewayStats) bool { return st.Resumed > before.Resumed && st.Connected }); err != nil {
			t.Fatalf("drop %d: %v\n%s", i+1, err, r.logs)
		}
	}
	st := fake.GatewayStats()
	if st.ResumesViaResumeURL != st.Resumes || st.Resumes < 2 {
		t.Errorf("%d resumes, %d of them through resume_gateway_url; want all", st.Resumes, st.ResumesViaResumeURL)
	}
	if main := st.Connections - st.ResumeURLConnections; main != 1 {
		t.Errorf("%d connections to the URL of GET /gateway, want 1 (the first)", main)
	}
	noViolations(t, r)
	answered(t, r, "ann")
}
