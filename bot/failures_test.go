package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"citebot/bot"
	"citebot/bot/discordtest"
	"citebot/bot/internal/render"
	"citebot/rag"
)

// Routes the bot uses to answer an interaction and a message.
const (
	callbackRoute = "POST /interactions/{interaction}/{token}/callback"
	editRoute     = "PATCH /webhooks/{application}/{token}/messages/{message}"
	followUpRoute = "POST /webhooks/{application}/{token}"
	replyRoute    = "POST /channels/{channel}/messages"
)

func answerWith(a rag.Answer) bot.Answerer {
	return answerFunc(func(_ context.Context, q rag.Query) (rag.Answer, error) {
		out := a // a copy: answers run concurrently
		out.Question = q.Question
		return out, nil
	})
}

// attempts returns the requests to route made for an interaction (or, with
// in.ID empty, all of them), in order.
func attempts(fake *discordtest.Server, in discordtest.Interaction, route string) []discordtest.Request {
	var out []discordtest.Request
	for _, r := range fake.Requests() {
		if r.Method+" "+r.Route == route && (in.ID == "" || r.Interaction == in.ID) {
			out = append(out, r)
		}
	}
	return out
}

func statuses(rs []discordtest.Request) []int {
	var out []int
	for _, r := range rs {
		out = append(out, r.Status)
	}
	return out
}

// waitLog waits until the logs contain s.
func waitLog(t *testing.T, r *running, s string) {
	t.Helper()
	if !r.logs.WaitFor(waitCtx(t), s) {
		t.Fatalf("no log line with %q:\n%s", s, r.logs)
	}
}

// TestDeliveryRetriesRateLimitsAndServerErrors scripts Discord answering
// 429 (per route, with retry_after and X-RateLimit-* headers, or global)
// or 5xx to the edit that shows the answer, to its follow-ups and to the
// acknowledgement, and checks that the bot waits as told or backs off,
// retries a bounded number of times, and the user gets the answer.
func TestDeliveryRetriesRateLimitsAndServerErrors(t *testing.T) {
	t.Parallel()
	const retryAfter = 300 * time.Millisecond
	cases := []struct {
		name   string
		route  string
		script func(fake *discordtest.Server, route string)
		want   []int
		// minGap is the least time between the first two attempts.
		minGap time.Duration
	}{
		{"route 429 twice", editRoute, func(f *discordtest.Server, r string) { f.RateLimit(r, 2, retryAfter) }, []int{429, 429, 200}, retryAfter},
		{"global 429", editRoute, func(f *discordtest.Server, r string) { f.RateLimitGlobal(r, 1, retryAfter) }, []int{429, 200}, retryAfter},
		{"500 twice", editRoute, func(f *discordtest.Server, r string) { f.Fail(r, 2, 500) }, []int{500, 500, 200}, 0},
		{"502", editRoute, func(f *discordtest.Server, r string) { f.Fail(r, 1, 502) }, []int{502, 200}, 0},
		{"503", editRoute, func(f *discordtest.Server, r string) { f.Fail(r, 1, 503) }, []int{503, 200}, 0},
		{"504", editRoute, func(f *discordtest.Server, r string) { f.Fail(r, 1, 504) }, []int{504, 200}, 0},
		{"follow-up 429", followUpRoute, func(f *discordtest.Server, r string) { f.RateLimit(r, 1, retryAfter) }, []int{429, 200, 200}, retryAfter},
		{"follow-up 500", followUpRoute, func(f *discordtest.Server, r string) { f.Fail(r, 1, 500) }, []int{500, 200, 200}, 0},
		{"acknowledgement 500", callbackRoute, func(f *discordtest.Server, r string) { f.Fail(r, 1, 500) }, []int{500, 204}, 0},
		{"acknowledgement 429", callbackRoute, func(f *discordtest.Server, r string) { f.RateLimit(r, 1, retryAfter) }, []int{429, 204}, retryAfter},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t, discordtest.Options{})
			a := bidenXiAnswer()
			if tc.route == followUpRoute {
				a = longAnswer(60) // three messages: an edit and two follow-ups
			}
			r := startBot(t, fake, bot.Options{Answerer: answerWith(a)})
			tc.script(fake, tc.route)
			in := ask(t, fake, fake.NewUser("ann"), "when did they speak?")
			want := len(render.Answer(a)) - 1
			ctx := waitCtx(t)
			for {
				// The fake records a request just after its handler
				// stores the message, so wait for the record too.
				m, ok := fake.Response(in)
				if ok && m.Edits > 0 && len(fake.Followups(in)) == want && len(attempts(fake, in, tc.route)) >= len(tc.want) {
					break
				}
				select {
				case <-ctx.Done():
					t.Fatalf("the answer was not delivered; %s got %v\n%s", tc.route, statuses(attempts(fake, in, tc.route)), r.logs)
				case <-time.After(5 * time.Millisecond):
				}
			}
			got := attempts(fake, in, tc.route)
			if fmt.Sprint(statuses(got)) != fmt.Sprint(tc.want) {
				t.Errorf("%s answered %v, want %v", tc.route, statuses(got), tc.want)
			}
			if gap := got[1].At.Sub(got[0].At); gap < tc.minGap*9/10 {
				t.Errorf("retried after %s, want at least the retry_after of %s", gap, tc.minGap)
			}
			for _, req := range fake.Requests() {
				if req.Interaction == in.ID && req.Status == 404 {
					t.Errorf("%s %s: 404 %s (late or unknown interaction)", req.Method, req.Route, req.Response)
				}
			}
			if !strings.Contains(r.logs.String(), "retrying a Discord request") {
				t.Errorf("the retry is not logged:\n%s", r.logs)
			}
		})
	}
}

// TestDeliveryGivesUp checks the bounds: a server error that does not go
// away is tried 5 times and no more, a retry_after longer than the time
// left is not waited for, and either way the bot logs it and keeps
// answering.
func TestDeliveryGivesUp(t *testing.T) {
	t.Parallel()
	t.Run("persistent 503", func(t *testing.T) {
		t.Parallel()
		fake := discordtest.New(t, discordtest.Options{})
		r := startBot(t, fake, bot.Options{Answerer: answerWith(bidenXiAnswer())})
		fake.Fail(editRoute, 5, 503)
		in := ask(t, fake, fake.NewUser("ann"), "when?")
		waitLog(t, r, "could not deliver an answer")
		if got := statuses(attempts(fake, in, editRoute)); fmt.Sprint(got) != "[503 503 503 503 503]" {
			t.Errorf("edit attempts %v, want 5 × 503", got)
		}
		if !strings.Contains(r.logs.String(), "gave up after 5 attempts") {
			t.Errorf("the log does not say it gave up:\n%s", r.logs)
		}
		// Still answering.
		next := ask(t, fake, fake.NewUser("bob"), "when?")
		waitEdit(t, fake, next, isFinal)
		if n := len(attempts(fake, in, editRoute)); n != 5 {
			t.Errorf("the abandoned edit was tried again later (%d attempts)", n)
		}
	})
	t.Run("retry_after beyond the time left", func(t *testing.T) {
		t.Parallel()
		fake := discordtest.New(t, discordtest.Options{})
		r := startBot(t, fake, bot.Options{DeliveryTimeout: time.Second, Answerer: answerWith(bidenXiAnswer())})
		fake.RateLimit(editRoute, 1, time.Hour)
		start := time.Now()
		in := ask(t, fake, fake.NewUser("ann"), "when?")
		waitLog(t, r, "could not deliver an answer")
		if took := time.Since(start); took > 30*time.Second {
			t.Errorf("the bot waited %s for a retry_after of an hour", took)
		}
		if got := statuses(attempts(fake, in, editRoute)); fmt.Sprint(got) != "[429]" {
			t.Errorf("edit attempts %v, want one 429", got)
		}
		if !strings.Contains(r.logs.String(), "after the time left") {
			t.Errorf("the log does not say why it gave up:\n%s", r.logs)
		}
		next := ask(t, fake, fake.NewUser("bob"), "when?")
		waitEdit(t, fake, next, isFinal)
	})
	t.Run("a refused answer is replaced by a notice", func(t *testing.T) {
		t.Parallel()
		// An answer Discord refuses (here: a link button with a custom id,
		// which no rendering makes; stands for any rendering bug) must not
		// leave the user with "thinking…".
		fake := discordtest.New(t, discordtest.Options{})
		r := startBot(t, fake, bot.Options{Answerer: answerWith(bidenXiAnswer())})
		fake.Fail(editRoute, 1, 400)
		in := ask(t, fake, fake.NewUser("ann"), "when?")
		waitLog(t, r, "could not deliver an answer")
		edits := waitEdit(t, fake, in, func(discordtest.Request) bool { return true })
		if got := bodyText(edits[len(edits)-1]); !strings.Contains(got, "something went wrong") {
			t.Errorf("after a refused answer the user sees %q", got)
		}
	})
}

// TestOneStalledEditDoesNotHoldUpOthers: discordgo puts the edits of all
// interactions in one rate-limit bucket and holds it for the whole round
// trip, so one slow edit used to stall every other answer. The bot keeps a
// bucket per interaction.
func TestOneStalledEditDoesNotHoldUpOthers(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	startBot(t, fake, bot.Options{Answerer: answerWith(bidenXiAnswer())})
	hold := fake.Hold(editRoute)
	first := ask(t, fake, fake.NewUser("ann"), "when?")
	select {
	case <-hold.Arrived():
	case <-waitCtx(t).Done():
		t.Fatal("the first edit did not arrive")
	}
	second := ask(t, fake, fake.NewUser("bob"), "when?")
	waitEdit(t, fake, second, isFinal)
	if _, ok := fake.Response(first); !ok {
		t.Fatal("no response for the first interaction")
	}
	hold.Release()
	waitEdit(t, fake, first, isFinal)
}

// TestGatewayDropWhileAnswering drops the gateway connection (and, in a
// second case, invalidates the session) while an answer is being written:
// the answer still arrives (edits go over REST), the bot reconnects by
// itself and answers the next question.
func TestGatewayDropWhileAnswering(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		break_ func(*discordtest.Server) error
		// resumed reports that the bot is back.
		resumed func(before, now discordtest.GatewayStats) bool
	}{
		{"connection dropped", (*discordtest.Server).DropConnection, func(b, n discordtest.GatewayStats) bool { return n.Resumed > b.Resumed && n.Connected }},
		{"RECONNECT", (*discordtest.Server).RequestReconnect, func(b, n discordtest.GatewayStats) bool { return n.Resumed > b.Resumed && n.Connected }},
		{"session invalidated", (*discordtest.Server).InvalidateSession, func(b, n discordtest.GatewayStats) bool { return n.Identifies > b.Identifies && n.Connected }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t, discordtest.Options{})
			ans := newBlocked()
			r := startBotReconnecting(t, fake, bot.Options{Answerer: ans})
			in := ask(t, fake, fake.NewUser("ann"), "when did they speak?")
			<-ans.started
			before := fake.GatewayStats()
			if err := fake.Disrupt(waitCtx(t), tc.break_); err != nil {
				t.Fatal(err)
			}
			close(ans.release) // the answer finishes while the gateway is down or coming back
			waitEdit(t, fake, in, isFinal)
			if err := fake.WaitGateway(waitCtx(t), func(st discordtest.GatewayStats) bool { return tc.resumed(before, st) }); err != nil {
				t.Fatalf("%v\n%s", err, r.logs)
			}
			next := ask(t, fake, fake.NewUser("bob"), "and then?")
			waitEdit(t, fake, next, isFinal)
			st := fake.GatewayStats()
			t.Logf("gateway: %d connections, %d identifies, %d resumes, %d replayed", st.Connections, st.Identifies, st.Resumes, st.Replayed)
			if err := r.Stop(t); err != nil {
				t.Errorf("Run returned %v", err)
			}
		})
	}
}

// TestAnswerFailuresReachUsers: whatever goes wrong while answering, the
// asker gets a short reason (by /ask and by mention), and the cause goes
// to the log only.
func TestAnswerFailuresReachUsers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		answerer bot.Answerer
		want     string
		logged   string
	}{
		{"error", answerFunc(func(context.Context, rag.Query) (rag.Answer, error) {
			return rag.Answer{}, errors.New("model server said: secret internal detail 1234")
		}), "something went wrong", "secret internal detail 1234"},
		{"timeout", newBlocked(), "took longer than 150ms", "answer timed out"},
		{"empty index", answerFunc(func(context.Context, rag.Query) (rag.Answer, error) {
			return rag.Answer{}, fmt.Errorf("answer: %w", rag.ErrEmptyIndex)
		}), "corpus is empty", "empty index"},
		{"panic", answerFunc(func(context.Context, rag.Query) (rag.Answer, error) {
			panic("boom: secret internal detail 5678")
		}), "something went wrong", "boom: secret internal detail 5678"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t, discordtest.Options{})
			// Only the blocked answerer may meet the short timeout; on a
			// loaded machine the others must not.
			timeout := time.Minute
			if tc.name == "timeout" {
				timeout = 150 * time.Millisecond
			}
			r := startBot(t, fake, bot.Options{AnswerTimeout: timeout, Answerer: tc.answerer})
			in := ask(t, fake, fake.NewUser("ann"), "when?")
			slash := bodyText(waitEdit(t, fake, in, func(discordtest.Request) bool { return true })[0])
			msg, err := fake.Post(discordtest.Post{Author: fake.NewUser("bob"), Content: "<@" + fake.BotUser.ID + "> when?"})
			if err != nil {
				t.Fatal(err)
			}
			reply, err := fake.WaitReply(waitCtx(t), msg.ID)
			if err != nil {
				t.Fatal(err)
			}
			for via, got := range map[string]string{"/ask": slash, "mention": bodyText(reply)} {
				if !strings.Contains(got, tc.want) || strings.Contains(got, "secret") {
					t.Errorf("%s: the user sees %q, want a short reason with %q and no cause", via, got, tc.want)
				}
				if len(got) > 300 {
					t.Errorf("%s: the reason is %d long, want short", via, len(got))
				}
			}
			if !strings.Contains(r.logs.String(), tc.logged) {
				t.Errorf("the cause %q is not logged:\n%s", tc.logged, r.logs)
			}
		})
	}
}

// TestMentionAnswerDeliveredAfterALongAnswer: the time allowed to deliver
// an answer starts when the answer is ready, not when the question came
// (the reply to a mention used to share a 10-second deadline with the
// answer itself, so a slow model's answer was never delivered).
func TestMentionAnswerDeliveredAfterALongAnswer(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	startBot(t, fake, bot.Options{DeliveryTimeout: 200 * time.Millisecond, Answerer: answerFunc(func(ctx context.Context, q rag.Query) (rag.Answer, error) {
		time.Sleep(500 * time.Millisecond)
		a := bidenXiAnswer()
		a.Question = q.Question
		return a, nil
	})})
	msg, err := fake.Post(discordtest.Post{Author: fake.NewUser("ann"), Content: "<@" + fake.BotUser.ID + "> when?"})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := fake.WaitReply(waitCtx(t), msg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if reply.Status != 200 || !strings.Contains(bodyText(reply), "004_bf2e7a1252b3b5c1") {
		t.Errorf("reply %d:\n%s", reply.Status, bodyText(reply))
	}
}

// TestMentionReplyRetriesRateLimits: a reply to a mention is a channel
// message; a 429 on it is waited out and retried, and a 5xx too.
func TestMentionReplyRetriesRateLimits(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	r := startBot(t, fake, bot.Options{Answerer: answerWith(bidenXiAnswer())})
	fake.RateLimit(replyRoute, 1, 200*time.Millisecond)
	fake.Fail(replyRoute, 1, 502)
	msg, err := fake.Post(discordtest.Post{Author: fake.NewUser("ann"), Content: "<@" + fake.BotUser.ID + "> when?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitReply(waitCtx(t), msg.ID); err != nil {
		t.Fatalf("%v: %v\n%s", err, statuses(attempts(fake, discordtest.Interaction{}, replyRoute)), r.logs)
	}
	if got := statuses(attempts(fake, discordtest.Interaction{}, replyRoute)); fmt.Sprint(got[:3]) != "[429 502 200]" {
		t.Errorf("reply attempts %v, want [429 502 200 …]", got)
	}
}

// TestDeliveryStaysWithinTheInteractionWindow: Discord accepts edits and
// follow-ups for 15 minutes after an interaction; the bot never plans to
// retry past that, whatever DeliveryTimeout says.
func TestDeliveryStaysWithinTheInteractionWindow(t *testing.T) {
	b, err := bot.New(bot.Options{Token: "x.y.z", Answerer: newBlocked(), Searcher: noSearch{}, Library: library(nil), DeliveryTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	cases := []struct {
		name     string
		received time.Time
		want     time.Time
	}{
		{"fresh interaction: DeliveryTimeout, within the window", now, now.Add(15*time.Minute - 15*time.Second)},
		{"interaction 14 minutes old", now.Add(-14 * time.Minute), now.Add(time.Minute - 15*time.Second)},
	}
	for _, tc := range cases {
		if got := bot.DeliveryDeadline(b, tc.received); got.Sub(tc.want).Abs() > time.Second {
			t.Errorf("%s: deadline in %s, want in %s", tc.name, time.Until(got).Round(time.Second), time.Until(tc.want).Round(time.Second))
		}
	}
	short, err := bot.New(bot.Options{Token: "x.y.z", Answerer: newBlocked(), Searcher: noSearch{}, Library: library(nil), DeliveryTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if got := time.Until(bot.DeliveryDeadline(short, time.Now())); got > time.Minute || got < 59*time.Second {
		t.Errorf("deadline in %s, want DeliveryTimeout (1m)", got)
	}
}

// panickyLibrary panics when asked for its articles.
type panickyLibrary struct{ library }

func (panickyLibrary) Articles() []bot.ArticleInfo { panic("library exploded") }

// TestHandlerPanicTellsTheUser: a panic anywhere in a command's handler is
// logged with its stack, the user gets a short notice, and the bot keeps
// answering.
func TestHandlerPanicTellsTheUser(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	r := startBot(t, fake, bot.Options{Answerer: answerWith(bidenXiAnswer()), Library: panickyLibrary{}})
	in := ask(t, fake, fake.NewUser("ann"), "when?")
	waitEdit(t, fake, in, isFinal)
	src := invoke(t, fake, discordtest.Invocation{Command: "sources", User: fake.NewUser("bob")})
	ack, err := fake.WaitRequest(waitCtx(t), func(r discordtest.Request) bool { return r.Interaction == src.ID })
	if err != nil {
		t.Fatal(err)
	}
	if got := bodyText(discordtest.Request{Body: ack.Message()}); ack.Status != 204 || !strings.Contains(got, "something went wrong") {
		t.Errorf("after a panic the user got %d %q", ack.Status, got)
	}
	waitLog(t, r, "library exploded")
	if !strings.Contains(r.logs.String(), "handler panicked") || !strings.Contains(r.logs.String(), "goroutine") {
		t.Errorf("the panic and its stack are not logged:\n%s", r.logs)
	}
	next := ask(t, fake, fake.NewUser("carol"), "when?")
	waitEdit(t, fake, next, isFinal)
}
