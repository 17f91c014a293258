package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"citebot/bot"
	"citebot/bot/discordtest"
)

// soakDuration is how long TestServeSoak injects faults: 10 seconds by
// default (the version CI runs), or CITEBOT_SOAK (a Go duration such as
// 10m) for a long run. -short skips it.
func soakDuration(t *testing.T) time.Duration {
	if testing.Short() {
		t.Skip("the soak test injects faults for a while; run without -short")
	}
	v := os.Getenv("CITEBOT_SOAK")
	if v == "" {
		return 10 * time.Second
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second {
		t.Fatalf("CITEBOT_SOAK=%q: want a duration such as 5m", v)
	}
	return d
}

// soakFault is one kind of fault the soak test injects.
type soakFault struct {
	name string
	// gateway faults need a live connection; the others are scripted
	// REST answers.
	gateway bool
	do      func(f *discordtest.Server) error
}

// dropAfter queues an interruption for the next handshake, then drops the
// connection so that one happens.
func dropAfter(in discordtest.Interruption) func(*discordtest.Server) error {
	return func(f *discordtest.Server) error {
		f.Interrupt(in)
		return f.DropConnection()
	}
}

var soakFaults = []soakFault{
	{"connection dropped", true, (*discordtest.Server).DropConnection},
	{"RECONNECT", true, (*discordtest.Server).RequestReconnect},
	{"INVALID_SESSION d=true", true, func(f *discordtest.Server) error { return f.InvalidSession(true) }},
	{"INVALID_SESSION d=false", true, (*discordtest.Server).InvalidateSession},
	{"heartbeat ACKs stopped", true, (*discordtest.Server).StopHeartbeatAcks},
	{"RECONNECT before HELLO", true, dropAfter(discordtest.Interruption{At: discordtest.BeforeHello, Op: 7})},
	{"RECONNECT during RESUME", true, dropAfter(discordtest.Interruption{At: discordtest.DuringResume, Op: 7})},
	{"INVALID_SESSION d=true during RESUME", true, dropAfter(discordtest.Interruption{At: discordtest.DuringResume, Op: 9, Resumable: true})},
	{"RECONNECT before READY", true, func(f *discordtest.Server) error {
		f.Interrupt(discordtest.Interruption{At: discordtest.BeforeReady, Op: 7})
		return f.InvalidateSession()
	}},
	{"global 429 on replies", false, func(f *discordtest.Server) error {
		f.RateLimitGlobal("POST /channels/{channel}/messages", 1, 500*time.Millisecond)
		return nil
	}},
	{"429 on an edit", false, func(f *discordtest.Server) error {
		f.RateLimit("PATCH /webhooks/{application}/{token}/messages/{message}", 1, 300*time.Millisecond)
		return nil
	}},
	{"502 on an edit", false, func(f *discordtest.Server) error {
		f.Fail("PATCH /webhooks/{application}/{token}/messages/{message}", 1, 502)
		return nil
	}},
}

// TestServeSoak runs `citebot serve` against the fake Discord while the
// fake injects a random mix of gateway and REST faults (every kind at
// least once per round, in random order, one every 0.7 to 1.5 s; with
// CITEBOT_SOAK, every 2 to 5 s) and simulated users keep asking, by /ask
// and by mention. Then it checks that every question that reached the bot
// in time was answered or got a clear failure message (none left
// "thinking…", no mention left without a reply), that the IDENTIFYs stay
// within what the faults force (each session lost costs one, nothing
// else), that the bot broke no gateway rule, that goroutines and memory do
// not grow, and that shutdown completes within the grace period (plus the
// second discordgo takes to close). It prints one summary line.
//
// Questions that never reached the bot are counted, not failed: Discord
// drops the events of a session that ends (INVALID_SESSION with d false)
// and tells an interaction's user that the application did not respond
// when it arrives after 3 seconds.
func TestServeSoak(t *testing.T) {
	duration := soakDuration(t)
	minGap, maxGap := 700*time.Millisecond, 1500*time.Millisecond
	if duration > time.Minute {
		minGap, maxGap = 2*time.Second, 5*time.Second
	}
	const grace = 3 * time.Second
	goroutinesBefore := runtime.NumGoroutine()
	fake := discordtest.New(t, discordtest.Options{HeartbeatInterval: 500 * time.Millisecond, IdentifyInterval: 5 * time.Second})
	s := startServe(t, fake, map[string]string{
		"CITEBOT_HTTP_ADDR": "127.0.0.1:0", "CITEBOT_LOG_LEVEL": "info", "CITEBOT_SHUTDOWN_GRACE": grace.String(),
	}, func(o *bot.Options) { o.OpenTimeout = 2 * time.Second })
	base := "http://" + opsAddr(t, s.logs)

	var (
		mu       sync.Mutex
		asks     []discordtest.Interaction
		mentions []discordtest.Message
		faults   = map[string]int{}
		skipped  int
	)
	ask := func(n int) {
		u := fake.NewUser(fmt.Sprintf("user%d", n))
		if n%3 == 2 {
			m, err := fake.Post(discordtest.Post{Author: u, Content: "<@" + fake.BotUser.ID + "> " + bidenXi})
			if err == nil {
				mu.Lock()
				mentions = append(mentions, m)
				mu.Unlock()
			}
			return
		}
		in, err := fake.Invoke(discordtest.Ask(u, bidenXi))
		if err == nil {
			mu.Lock()
			asks = append(asks, in)
			mu.Unlock()
		}
	}
	// Warm up, then take the baseline.
	for i := range 3 {
		ask(i)
	}
	for _, in := range asks {
		finalEdit(t, fake, in)
	}
	for _, m := range mentions {
		replyTo(t, fake, m)
	}
	goroutinesWarm, heapWarm := runtime.NumGoroutine(), heapAlloc()

	ctx, stop := context.WithTimeout(context.Background(), duration)
	defer stop()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // users
		defer wg.Done()
		for n := 3; ctx.Err() == nil; n++ {
			ask(n)
			select {
			case <-ctx.Done():
			case <-time.After(time.Duration(80+rand.IntN(170)) * time.Millisecond):
			}
		}
	}()
	go func() { // faults
		defer wg.Done()
		var order []soakFault
		for ctx.Err() == nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(minGap + rand.N(maxGap-minGap)):
			}
			if len(order) == 0 {
				order = append(order, soakFaults...)
				rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			}
			f := order[0]
			order = order[1:]
			var err error
			if f.gateway {
				// Once, on a live connection (an interruption queued for a
				// handshake that a lost race leaves pending applies to the
				// next one).
				wait, cancel := context.WithTimeout(ctx, 3*time.Second)
				err = fake.WaitGateway(wait, func(st discordtest.GatewayStats) bool { return st.Connected })
				cancel()
				if err == nil {
					err = f.do(fake)
				}
			} else {
				err = f.do(fake)
			}
			mu.Lock()
			if err != nil {
				skipped++ // no live connection within 3 s: the bot is still recovering
			} else {
				faults[f.name]++
			}
			mu.Unlock()
		}
	}()
	notReady := 0
	for ctx.Err() == nil { // meanwhile: /healthz stays 200, /readyz varies
		if resp, body := get(t, base+"/healthz"); resp.StatusCode != 200 {
			t.Errorf("/healthz during the soak: %d %s", resp.StatusCode, body)
		}
		if resp, _ := get(t, base+"/readyz"); resp.StatusCode != 200 {
			notReady++
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
	wg.Wait()

	// Settle: the bot reconnects (the fake sees a live session: a question
	// asked before would go to a session that may have ended), and every
	// question that reached it in time ends with a message.
	if err := fake.WaitGateway(waitCtx(t), func(st discordtest.GatewayStats) bool { return st.Connected }); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, base+"/readyz", 200, `"ready":true`)
	settle, cancelSettle := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancelSettle()
	var answered, notices, undelivered, late int
	lateAck := func(in discordtest.Interaction) bool {
		for _, r := range fake.Requests() {
			if r.Interaction == in.ID && strings.HasSuffix(r.Route, "/callback") && r.Status == 404 {
				return true
			}
		}
		return false
	}
	for _, in := range asks {
		for {
			o := fake.Outcome(in)
			if !o.Delivered {
				undelivered++
				break
			}
			if !o.Acked && lateAck(in) {
				late++ // Discord told the user the application did not respond
				break
			}
			if o.Final {
				if text := o.Message.Text(); strings.Contains(text, "Sources") || strings.Contains(text, "doesn't say") {
					answered++
				} else {
					notices++
					t.Logf("/ask %s ended with a notice: %q", in.ID, text)
				}
				break
			}
			if settle.Err() != nil {
				t.Errorf("/ask %s reached the bot %s after it was asked but has no final message (acknowledged %v, type %d)", in.ID, o.DeliveredAfter.Round(time.Millisecond), o.Acked, o.AckType)
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for _, m := range mentions {
		if now, _ := fake.Message(m.ID); now.Delivered.IsZero() {
			undelivered++
			continue
		}
		r, err := fake.WaitReply(settle, m.ID)
		switch {
		case err != nil:
			t.Errorf("the mention %s reached the bot but got no reply: %v", m.ID, err)
		case strings.Contains(messageText(r.Body), "Sources") || strings.Contains(messageText(r.Body), "doesn't say"):
			answered++
		default:
			notices++
			t.Logf("mention %s got a notice: %q", m.ID, messageText(r.Body))
		}
	}
	// Recovered: a new question is answered.
	in := mustInvoke(t, fake, discordtest.Ask(fake.NewUser("last"), bidenXi))
	if _, err := fake.WaitRequest(waitCtx(t), func(r discordtest.Request) bool {
		return r.Interaction == in.ID && r.Method == "PATCH" && r.Status == 200
	}); err != nil {
		t.Errorf("after the soak, a question was not answered: %v (gateway %+v, outcome %+v)", err, fake.GatewayStats(), fake.Outcome(in))
	}
	defer func() {
		if t.Failed() {
			t.Logf("serve's log (last 60 lines):\n%s", tail(s.logs.String(), 60))
		}
	}()
	goroutinesEnd, heapEnd := runtime.NumGoroutine(), heapAlloc()

	// Shutdown within the grace period.
	start := time.Now()
	s.Cancel()
	if err := s.Wait(t); err != nil {
		t.Errorf("serve returned %v", err)
	}
	shutdown := time.Since(start)
	fake.Close()
	goroutinesAfter := runtime.NumGoroutine()

	st := fake.GatewayStats()
	mu.Lock()
	defer mu.Unlock()
	forced := faults["INVALID_SESSION d=false"] + 2*faults["RECONNECT before READY"]
	budget := 1 + forced
	questions := len(asks) + len(mentions)
	kinds := 0
	for range faults {
		kinds++
	}
	t.Logf("soak: %s, %d questions (%d /ask, %d mentions): %d answered, %d failed clearly (%d notices, %d never reached the bot, %d reached it late); "+
		"%d faults of %d kinds (%d skipped); %d reconnects (%d resumed), %d identifies (budget %d); /readyz not ready in %d samples; "+
		"goroutines %d before, %d warm, %d at the end, %d after shutdown; heap %.1f→%.1f MiB; shutdown %s",
		duration, questions, len(asks), len(mentions), answered, notices+undelivered+late, notices, undelivered, late,
		sum(faults), kinds, skipped, st.Resumed+st.Ready-1, st.Resumed, st.Identifies, budget, notReady,
		goroutinesBefore, goroutinesWarm, goroutinesEnd, goroutinesAfter, float64(heapWarm)/(1<<20), float64(heapEnd)/(1<<20), shutdown.Round(time.Millisecond))
	t.Logf("faults: %v", faults)

	if st.Identifies > budget {
		t.Errorf("%d IDENTIFYs, more than the %d the faults force (1 + one per session lost)", st.Identifies, budget)
	}
	if v := fake.Violations(); len(v) > 0 {
		t.Errorf("gateway violations:\n%s", strings.Join(v, "\n"))
	}
	if codes := st.ClientCloseCodes; len(codes) > 0 {
		for _, c := range codes[:len(codes)-1] { // the last is the shutdown's 1000
			if c == 1000 || c == 1001 {
				t.Errorf("the bot closed a connection with %d during the soak (close codes %v)", c, codes)
			}
		}
	}
	if st.TokenReset {
		t.Error("the fake reset the token")
	}
	if goroutinesEnd > goroutinesWarm+25 {
		t.Errorf("goroutines grew from %d to %d", goroutinesWarm, goroutinesEnd)
	}
	if goroutinesAfter > goroutinesBefore+10 {
		t.Errorf("%d goroutines after shutdown, %d before serve started", goroutinesAfter, goroutinesBefore)
	}
	// The fake keeps a record of every request (a few KiB per question);
	// anything beyond that is growth.
	if limit := heapWarm + 16<<20 + uint64(questions)*64<<10; heapEnd > limit {
		t.Errorf("the heap grew from %.1f to %.1f MiB over %d questions", float64(heapWarm)/(1<<20), float64(heapEnd)/(1<<20), questions)
	}
	// Shutdown: the grace period, and the second discordgo takes to close
	// the connection, with room for a loaded machine.
	if shutdown > grace+5*time.Second {
		t.Errorf("shutdown took %s, want within the %s grace period (plus closing)", shutdown, grace)
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
