package main

import (
	"context"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"citebot/bot"
	"citebot/bot/discordtest"
)

// TestServeLoadBurst drives the real `citebot serve` (configuration, the
// shipped corpus, its index and the offline extractive answerer, the bot,
// discordgo) through the fake Discord with a burst of /ask from many
// users: 200 in about a second (CITEBOT_LOAD_N=2000 without -short for
// a heavier run). Every interaction must be acknowledged within Discord's
// 3 seconds and end with an answer or a busy or rate-limit reply; the
// heap stays bounded; after shutdown nothing the run started is left
// running.
func TestServeLoadBurst(t *testing.T) {
	existing := goleak.IgnoreCurrent()
	goroutinesBefore := runtime.NumGoroutine()
	n := 200
	if v := os.Getenv("CITEBOT_LOAD_N"); v != "" && !testing.Short() {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 10 {
			t.Fatalf("CITEBOT_LOAD_N=%q: want a number of interactions, at least 10", v)
		}
	}
	fake := discordtest.New(t, discordtest.Options{})
	var client *http.Client
	s := startServe(t, fake, nil, func(o *bot.Options) { client = o.HTTPClient })
	heapBefore := heapAlloc()

	questions := []string{
		bidenXi,
		"when did Biden and Xi last speak in person?",
		"what did the theater commander call agree on?",
		"why did Blinken postpone his trip to China?",
		"who won the 2022 world cup?", // not in the corpus
		"@everyone what did <@&123456789012345678> say?",
	}
	// Most users ask once; a few ask ten times in a row (the first of
	// them first: six answered, four rate-limited).
	who := fake.BurstUsers(n)
	start := time.Now()
	var ins []discordtest.Interaction
	for i, u := range who {
		ins = append(ins, mustInvoke(t, fake, discordtest.Ask(u, questions[i%len(questions)])))
		time.Sleep(time.Second / time.Duration(n)) // n interactions in about a second
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var acks []time.Duration
	answered, busy, limited := 0, 0, 0
	for _, in := range ins {
		var o discordtest.Outcome
		for o = fake.Outcome(in); !o.Final; o = fake.Outcome(in) {
			select {
			case <-ctx.Done():
				t.Fatalf("interaction %s has no final message: %+v", in.ID, o)
			case <-time.After(5 * time.Millisecond):
			}
		}
		acks = append(acks, o.AckAfter)
		text := o.Message.Text()
		switch {
		case o.AckType == 5 && (strings.Contains(text, "Sources") || strings.Contains(text, "doesn't say")):
			answered++
		case o.AckType == 4 && strings.Contains(text, "busy answering"):
			busy++
		case o.AckType == 4 && strings.Contains(text, "asking faster than"):
			limited++
		default:
			t.Errorf("interaction %s ended with type %d: %q", in.ID, o.AckType, text)
		}
		for _, bad := range []string{"@everyone", "<@&123456789012345678>"} {
			if strings.Contains(text, bad) {
				t.Errorf("interaction %s shows live %q", in.ID, bad)
			}
		}
	}
	slices.Sort(acks)
	t.Logf("%d interactions in %s: %d acknowledged (max %s, median %s after dispatch), %d answered, %d busy, %d rate-limited",
		n, time.Since(start).Round(time.Millisecond), len(acks), acks[len(acks)-1].Round(time.Millisecond), acks[len(acks)/2].Round(time.Millisecond), answered, busy, limited)
	for _, r := range fake.Requests() {
		if r.Status >= 400 {
			t.Errorf("%s %s refused: %d %s", r.Method, r.Route, r.Status, r.Response)
		}
	}
	if answered+busy+limited != n || answered < 6 || limited < 4 {
		t.Errorf("want every interaction answered, busy or rate-limited, and the user who asked 10 times in a row first answered 6 times and rate-limited 4 times")
	}
	heapAfter := heapAlloc()
	t.Logf("heap: %.1f MiB before the burst, %.1f MiB after (including the fake's record of %d requests)",
		float64(heapBefore)/(1<<20), float64(heapAfter)/(1<<20), len(fake.Requests()))
	if growth := int64(heapAfter) - int64(heapBefore); growth > int64(n)*256<<10 {
		t.Errorf("the heap grew by %d bytes for %d interactions", growth, n)
	}

	if err := s.Stop(t); err != nil {
		t.Errorf("serve returned %v", err)
	}
	// The fake and the HTTP client (its idle keep-alive connections) are
	// the test's.
	fake.Close()
	client.CloseIdleConnections()
	goleak.VerifyNone(t, existing)
	t.Logf("goroutines: %d before serve started, %d after it returned", goroutinesBefore, runtime.NumGoroutine())
}

// heapAlloc returns the live heap after a collection.
func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
