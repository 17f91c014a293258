package bot_test

import (
	"context"
	"fmt"
	"math/rand/v2"
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
	"citebot/rag"
)

// loadSize is how many /ask interactions the load test sends: 200, or
// CITEBOT_LOAD_N when set and the tests do not run with -short (the heavier
// variant: CITEBOT_LOAD_N=2000 go test ./bot -run TestLoad -v).
func loadSize(t *testing.T) int {
	if v := os.Getenv("CITEBOT_LOAD_N"); v != "" && !testing.Short() {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 {
			t.Fatalf("CITEBOT_LOAD_N=%q: want a number of interactions, at least 10", v)
		}
		return n
	}
	return 200
}

// loadReport counts what the users of a burst saw.
type loadReport struct {
	n, acked, answered, busy, limited, other int
	maxAck, medianAck                        time.Duration
	late                                     []string // requests refused as late, unknown or already acknowledged
}

func (r loadReport) String() string {
	return fmt.Sprintf("%d interactions, %d acknowledged (max %s, median %s after dispatch), %d answered, %d busy, %d rate-limited, %d other",
		r.n, r.acked, r.maxAck.Round(time.Millisecond), r.medianAck.Round(time.Millisecond), r.answered, r.busy, r.limited, r.other)
}

// burstReport waits until every interaction has a final message and
// classifies them.
func burstReport(t *testing.T, fake *discordtest.Server, ins []discordtest.Interaction) loadReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rep := loadReport{n: len(ins)}
	var acks []time.Duration
	for _, in := range ins {
		var o discordtest.Outcome
		for {
			if o = fake.Outcome(in); o.Final {
				break
			}
			select {
			case <-ctx.Done():
				t.Fatalf("interaction %s has no final message (acked %v, type %d): %+v", in.ID, o.Acked, o.AckType, o.Message)
			case <-time.After(5 * time.Millisecond):
			}
		}
		rep.acked++
		acks = append(acks, o.AckAfter)
		text := o.Message.Text()
		switch {
		case o.AckType == 5 && (strings.Contains(text, "Sources") || strings.Contains(text, "doesn't say")):
			rep.answered++
		case o.AckType == 4 && strings.Contains(text, "busy answering other questions") && strings.Contains(text, "Try again in"):
			rep.busy++
		case o.AckType == 4 && strings.Contains(text, "You're asking faster than") && strings.Contains(text, "Try again in"):
			rep.limited++
		default:
			rep.other++
			t.Errorf("interaction %s ended with type %d %q", in.ID, o.AckType, text)
		}
	}
	slices.Sort(acks)
	rep.maxAck, rep.medianAck = acks[len(acks)-1], acks[len(acks)/2]
	for _, r := range fake.Requests() {
		if r.Status == 404 || r.Status == 400 {
			rep.late = append(rep.late, fmt.Sprintf("%s %s %d %s", r.Method, r.Route, r.Status, r.Response))
		}
	}
	return rep
}

// heapAlloc returns the live heap after a collection.
func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestLoadBurst sends a burst of /ask from many users, some of whom ask
// far more than their rate allows, to a bot whose answerer takes 50 to
// 250 ms. Every interaction must be acknowledged within Discord's 3
// seconds (the fake refuses late ones) and end with an answer, a busy
// reply or a rate-limit reply; memory and the per-user limiter stay
// bounded; and nothing is left running after shutdown.
//
// It does not run in parallel with other tests, so that the goroutine
// check sees only its own.
func TestLoadBurst(t *testing.T) {
	goroutinesBefore := runtime.NumGoroutine()
	existing := goleak.IgnoreCurrent()
	n := loadSize(t)

	fake := discordtest.New(t, discordtest.Options{})
	client := fake.Client()
	slow := answerFunc(func(ctx context.Context, q rag.Query) (rag.Answer, error) {
		select {
		case <-time.After(time.Duration(50+rand.IntN(200)) * time.Millisecond):
		case <-ctx.Done():
			return rag.Answer{}, ctx.Err()
		}
		a := bidenXiAnswer()
		a.Question = q.Question
		return a, nil
	})
	const perMinute, concurrent = 6, 8
	r := startBot(t, fake, bot.Options{Answerer: slow, UserRate: perMinute, MaxConcurrent: concurrent, HTTPClient: client})
	heapBefore := heapAlloc()

	// Most users ask once; a few ask ten times in a row (the first of
	// them first: six answered, four rate-limited).
	who := fake.BurstUsers(n)
	users := map[string]int{}
	start := time.Now()
	var ins []discordtest.Interaction
	for i, u := range who {
		users[u.ID]++
		ins = append(ins, ask(t, fake, u, fmt.Sprintf("question %d: when did Biden and Xi last speak?", i)))
		time.Sleep(time.Second / time.Duration(n)) // n interactions in about a second
	}
	rep := burstReport(t, fake, ins)
	t.Logf("%s; burst took %s", rep, time.Since(start).Round(time.Millisecond))

	if len(rep.late) > 0 {
		t.Errorf("%d requests refused (late, unknown or repeated acknowledgements):\n%s", len(rep.late), strings.Join(rep.late[:min(10, len(rep.late))], "\n"))
	}
	if rep.acked != n || rep.answered+rep.busy+rep.limited != n {
		t.Errorf("%s: want every interaction acknowledged and answered, busy or rate-limited", rep)
	}
	if rep.answered < concurrent {
		t.Errorf("only %d answered: want at least the %d answered at once", rep.answered, concurrent)
	}
	if rep.limited < 10-perMinute {
		t.Errorf("%d rate-limit replies, want at least %d: a user asked 10 times in a row with a rate of %d a minute", rep.limited, 10-perMinute, perMinute)
	}
	answeredBy := map[string]int{}
	for i, in := range ins {
		if o := fake.Outcome(in); o.AckType == 5 {
			answeredBy[who[i].ID]++
		}
	}
	for id, got := range answeredBy {
		if got > perMinute {
			t.Errorf("user %s got %d answers within a minute, more than the rate of %d", id, got, perMinute)
		}
	}
	if got := bot.TrackedUsers(r.bot); got > len(users) {
		t.Errorf("the limiter tracks %d users, more than the %d who asked", got, len(users))
	}

	heapAfter := heapAlloc()
	growth := int64(heapAfter) - int64(heapBefore)
	t.Logf("heap: %.1f MiB before, %.1f MiB after (%+.1f MiB, including the fake's record of %d requests); limiter tracks %d users",
		float64(heapBefore)/(1<<20), float64(heapAfter)/(1<<20), float64(growth)/(1<<20), len(fake.Requests()), bot.TrackedUsers(r.bot))
	if limit := int64(n) * 256 << 10; growth > limit {
		t.Errorf("the heap grew by %d bytes for %d interactions, more than %d", growth, n, limit)
	}

	if err := r.Stop(t); err != nil {
		t.Errorf("Run returned %v", err)
	}
	// The fake Discord and the HTTP client's idle keep-alive connections
	// are the test's, not the bot's: close them before looking for leaks.
	fake.Close()
	client.CloseIdleConnections()
	goleak.VerifyNone(t, existing)
	t.Logf("goroutines: %d before the bot started, %d after shutdown", goroutinesBefore, runtime.NumGoroutine())
}
