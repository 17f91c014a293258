package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"citebot/bot"
	"citebot/bot/discordtest"
	"citebot/rag"
)

// canaryToken is a recognisable bot token: if any part of it shows up in a
// log line, an error or a message, the test sees it.
const canaryToken = "MTE3OTk5OTk5OTk5OTk5OTk5.CaNaRy.S3CR3T-canary-token-never-log-me-0123456789"

// canaryParts are the pieces of the token that must not leak either: its
// secret (HMAC) part, and the whole token.
var canaryParts = []string{canaryToken, "S3CR3T-canary-token-never-log-me-0123456789"}

// leaks returns the canary pieces and interaction tokens found in text.
func leaks(text string, interactionTokens []string) []string {
	var out []string
	for _, p := range append(append([]string(nil), canaryParts...), interactionTokens...) {
		if p != "" && strings.Contains(text, p) {
			out = append(out, p[:min(len(p), 24)]+"…")
		}
	}
	return out
}

// TestTokenNeverLeaks runs the bot with a recognisable token and debug logs
// through everything that logs or sends: answers, searches, autocomplete,
// a rate limit and a server error on the answer (discordgo's errors quote
// URLs with interaction tokens), an answerer error and a panic whose text
// contain the token, a gateway drop and reconnection, a mention, and
// shutdown. The token (and interaction tokens, which let anyone post as
// the bot for 15 minutes) must not appear in any log line, in Run's
// result, or in anything the bot sent other than its Authorization header
// and the gateway IDENTIFY.
//
// It does not run in parallel with other tests: discordgo has one global
// logger, which goes to the newest bot's, and this test must see all of
// discordgo's lines.
func TestTokenNeverLeaks(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{Token: canaryToken})
	var calls atomic.Int32
	answerer := answerFunc(func(_ context.Context, q rag.Query) (rag.Answer, error) {
		switch {
		case strings.Contains(q.Question, "fail"):
			return rag.Answer{}, errors.New("upstream rejected credentials " + canaryToken)
		case strings.Contains(q.Question, "crash"):
			panic("cannot use token " + canaryToken)
		}
		calls.Add(1)
		a := bidenXiAnswer()
		a.Question = q.Question
		return a, nil
	})
	r := startBotReconnecting(t, fake, bot.Options{Answerer: answerer, Searcher: noSearch{}})
	if r.bot == nil {
		t.Fatal("no bot")
	}
	u := fake.NewUser("ann")
	var ins []discordtest.Interaction
	invoke := func(inv discordtest.Invocation) discordtest.Interaction {
		t.Helper()
		inv.User = u
		in := invoke(t, fake, inv)
		ins = append(ins, in)
		return in
	}

	fake.RateLimit(editRoute, 1, 100*time.Millisecond)
	fake.Fail(editRoute, 1, 502)
	waitEdit(t, fake, invoke(discordtest.Ask(u, "when did they speak?")), isFinal)
	waitEdit(t, fake, invoke(discordtest.Ask(u, "please fail")), func(discordtest.Request) bool { return true })
	waitEdit(t, fake, invoke(discordtest.Ask(u, "please crash")), func(discordtest.Request) bool { return true })
	waitEdit(t, fake, invoke(discordtest.Invocation{Command: "search", Options: []discordtest.Opt{{Name: "query", Value: "talks"}}}), func(discordtest.Request) bool { return true })
	for _, inv := range []discordtest.Invocation{
		{Command: "sources"}, {Command: "help"},
		{Command: "article", Options: []discordtest.Opt{{Name: "id", Value: "nothing like this"}}},
		{Command: "article", Focused: "id", Options: []discordtest.Opt{{Name: "id", Value: "white"}}},
	} {
		in := invoke(inv)
		if _, err := fake.WaitRequest(waitCtx(t), func(r discordtest.Request) bool { return r.Interaction == in.ID }); err != nil {
			t.Fatal(err)
		}
	}
	before := fake.GatewayStats()
	if err := fake.Disrupt(waitCtx(t), (*discordtest.Server).DropConnection); err != nil {
		t.Fatal(err)
	}
	if err := fake.WaitGateway(waitCtx(t), func(st discordtest.GatewayStats) bool { return st.Resumed > before.Resumed && st.Connected }); err != nil {
		t.Fatal(err)
	}
	fake.Fail(replyRoute, 1, 500)
	msg, err := fake.Post(discordtest.Post{Author: u, Content: "<@" + fake.BotUser.ID + "> when did they speak?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitReply(waitCtx(t), msg.ID); err != nil {
		t.Fatal(err)
	}
	runErr := r.Stop(t)

	var tokens []string
	for _, in := range ins {
		tokens = append(tokens, in.Token)
	}
	logs := r.logs.String()
	if l := leaks(logs, tokens); len(l) > 0 {
		t.Errorf("the logs contain %v", l)
	}
	for _, want := range []string{"retrying a Discord request", "upstream rejected credentials [redacted]", "cannot use token [redacted]", "/webhooks/" + fake.AppID + "/[redacted]"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the logs lack %q (the scenario did not run, or the redaction changed)", want)
		}
	}
	if runErr != nil {
		if l := leaks(runErr.Error(), tokens); len(l) > 0 {
			t.Errorf("Run's error contains %v", l)
		}
	}
	n := 0
	for _, req := range fake.Requests() {
		n++
		raw, _ := json.Marshal(req.Body)
		rawArr, _ := json.Marshal(req.BodyArray)
		text := string(raw) + string(rawArr) + req.Query.Encode()
		for k, vs := range req.Header {
			if k != "Authorization" {
				text += k + ": " + strings.Join(vs, ",")
			}
		}
		if l := leaks(text, nil); len(l) > 0 {
			t.Errorf("%s %s sent %v", req.Method, req.Route, l)
		}
		if l := leaks(bodyText(req), tokens); len(l) > 0 {
			t.Errorf("%s %s shows users %v", req.Method, req.Route, l)
		}
	}
	if t.Failed() {
		t.Log(logs)
	}
	t.Logf("checked %d log bytes, %d requests, %d interaction tokens", len(logs), n, len(tokens))
}

// TestRejectedTokenNeverLeaks: when Discord rejects the token, neither the
// error nor the logs repeat it.
func TestRejectedTokenNeverLeaks(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	logs := &discordtest.Log{}
	b, err := bot.New(bot.Options{Token: canaryToken, HTTPClient: fake.Client(), Answerer: newBlocked(), Searcher: noSearch{}, Library: library(nil),
		DisableReconnect: true, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	err = b.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "token was rejected") {
		t.Fatalf("Run returned %v, want a rejected token", err)
	}
	if l := leaks(err.Error()+logs.String(), nil); len(l) > 0 {
		t.Errorf("the error or the logs contain %v:\n%v\n%s", l, err, logs)
	}
}
