package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"citebot/bot"
	"citebot/bot/discordtest"
	"citebot/rag"
)

// TestGlobalRateLimitPausesEveryRequest (issue 13, item 12): after a global
// 429, shaped as Discord documents it ("global": true, X-RateLimit-Global,
// no X-RateLimit-Reset-After), no request of the bot may reach Discord
// before retry_after has passed; discordgo paused only the request that
// got it. Interaction callbacks are not bound by the global limit and must
// keep their 3 seconds.
func TestGlobalRateLimitPausesEveryRequest(t *testing.T) {
	t.Parallel()
	const pause = 4 * time.Second // longer than an acknowledgement may take
	fake := discordtest.New(t, discordtest.Options{})
	r := startBot(t, fake, bot.Options{Answerer: answerWith(bidenXiAnswer())})
	fake.RateLimitGlobal(replyRoute, 1, pause)
	mention := "<@" + fake.BotUser.ID + "> when did they speak?"
	first, err := fake.Post(discordtest.Post{Author: fake.NewUser("ann"), Content: mention})
	if err != nil {
		t.Fatal(err)
	}
	limited, err := fake.WaitRequest(waitCtx(t), func(r discordtest.Request) bool { return r.Status == 429 })
	if err != nil {
		t.Fatal(err)
	}
	// The fake records the 429 before the bot has read it: wait until it
	// has.
	waitLog(t, r, "Discord's global rate limit: pausing every request")
	second, err := fake.Post(discordtest.Post{Author: fake.NewUser("bob"), Content: mention})
	if err != nil {
		t.Fatal(err)
	}
	in := ask(t, fake, fake.NewUser("carol"), "when did they speak?")
	for _, m := range []discordtest.Message{first, second} {
		if _, err := fake.WaitReply(waitCtx(t), m.ID); err != nil {
			t.Fatalf("%v\n%s", err, r.logs)
		}
	}
	waitEdit(t, fake, in, isFinal)
	for _, req := range fake.Requests() {
		if !req.At.After(limited.At) || req.Interaction != "" {
			continue
		}
		if early := limited.At.Add(pause).Sub(req.At); early > 0 {
			t.Errorf("%s %s reached Discord %s before the global rate limit ended", req.Method, req.Route, early.Round(time.Millisecond))
		}
	}
	if ack := attempts(fake, in, callbackRoute); len(ack) != 1 || ack[0].Status != 204 {
		t.Errorf("the /ask acknowledgement during the pause: %v, want one 204 (interactions are not bound by the global limit)", statuses(ack))
	}
	if st := r.bot.Status().REST; st.GlobalPauses != 1 || st.TooManyRequests != 1 || st.InvalidLast10m != 1 {
		t.Errorf("REST stats %+v, want one global pause", st)
	}
}

// TestInvalidRequestsAreCapped (issue 13, item 12): Discord bans an IP
// address from its API after 10,000 answers of 401, 403 or 429 in 10
// minutes; the bot counts them and stops sending once it reaches its
// budget (1,000; 3 here), instead of carrying on.
func TestInvalidRequestsAreCapped(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	opts := bot.Options{Answerer: answerWith(bidenXiAnswer())}
	bot.InvalidBudget(&opts, 3)
	r := startBot(t, fake, opts)
	fake.Fail(replyRoute, -1, 403) // e.g. the bot lost Send Messages in the channel
	// One at a time: concurrent requests could all leave before the
	// first 403 comes back (the budget bounds what follows).
	ctx := waitCtx(t)
	for i := range 5 {
		if _, err := fake.Post(discordtest.Post{Author: fake.NewUser("user" + string(rune('a'+i))), Content: "<@" + fake.BotUser.ID + "> when?"}); err != nil {
			t.Fatal(err)
		}
		for strings.Count(r.logs.String(), "could not deliver an answer") < i+1 {
			select {
			case <-ctx.Done():
				t.Fatalf("mention %d was not handled:\n%s", i+1, r.logs)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	if n := len(attempts(fake, discordtest.Interaction{}, replyRoute)); n != 3 || fake.InvalidRequests() != 3 {
		t.Errorf("%d replies reached Discord (%d invalid), want 3: the budget", n, fake.InvalidRequests())
	}
	st := r.bot.Status().REST
	if st.Forbidden != 3 || st.InvalidLast10m != 3 || st.Refused != 2 {
		t.Errorf("REST stats %+v, want 3 forbidden and 2 refused", st)
	}
	if !strings.Contains(r.logs.String(), "too many requests to Discord were refused") {
		t.Errorf("the pause is not logged:\n%s", r.logs)
	}
}

// TestDeletedAnswerIsNotEditedAgain (issue 13, item 13): when the user (or
// a moderator) deletes the response while a model is still writing it,
// Discord answers 404 to the next edit; the bot used to keep editing once
// a second, and then send the final answer, although "repeated attempts
// … will result in a temporary restriction". It stops at the first 404.
func TestDeletedAnswerIsNotEditedAgain(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	release := make(chan struct{})
	streaming := answerFunc(func(ctx context.Context, q rag.Query) (rag.Answer, error) {
		for {
			q.OnDelta("more words ")
			select {
			case <-release:
				a := bidenXiAnswer()
				a.Question = q.Question
				return a, nil
			case <-ctx.Done():
				return rag.Answer{}, ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
		}
	})
	r := startBot(t, fake, bot.Options{Answerer: streaming, StreamInterval: 20 * time.Millisecond})
	in := ask(t, fake, fake.NewUser("ann"), "when did they speak?")
	waitEdit(t, fake, in, func(discordtest.Request) bool { return true }) // a streaming edit
	if err := fake.DeleteResponse(in); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitRequest(waitCtx(t), func(r discordtest.Request) bool { return r.Interaction == in.ID && r.Status == 404 }); err != nil {
		t.Fatal(err)
	}
	close(release)
	ctx := waitCtx(t)
	for !strings.Contains(r.logs.String(), "its message was deleted") && !strings.Contains(r.logs.String(), "could not deliver an answer") {
		select {
		case <-ctx.Done():
			t.Fatalf("the answer's end is not logged:\n%s", r.logs)
		case <-time.After(5 * time.Millisecond):
		}
	}
	var gone []int
	for _, req := range attempts(fake, in, editRoute) {
		if req.Status == 404 {
			gone = append(gone, req.Status)
		}
	}
	if len(gone) != 1 {
		t.Errorf("%d edits answered 404, want 1: no request after the first", len(gone))
	}
	if n := len(attempts(fake, in, followUpRoute)); n != 0 {
		t.Errorf("%d follow-ups after the response was deleted", n)
	}
	if v := fake.Violations(); len(v) > 0 {
		t.Errorf("violations: %q", v)
	}
}
