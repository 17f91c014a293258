package main

// These tests run the real `citebot serve` wiring (configuration, index,
// answerer, bot, discordgo) against bot/discordtest, a local fake of
// Discord's REST API and gateway. They are in package main because run is
// unexported.

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"citebot/bot"
	"citebot/bot/discordtest"
	"citebot/rag"
)

// served is a running `citebot serve` against a fake Discord.
type served struct {
	*discordtest.Process
	fake *discordtest.Server
	logs *discordtest.Log
}

// startServe runs `citebot serve` with env (plus a valid token, a data
// directory and the fake's guild) and waits until it is online (commands
// registered).
func startServe(t *testing.T, fake *discordtest.Server, env map[string]string, hook func(*bot.Options)) *served {
	t.Helper()
	vars := map[string]string{
		"DISCORD_TOKEN":     fake.Token(),
		"CITEBOT_DATA_DIR":  t.TempDir(),
		"CITEBOT_GUILD_ID":  fake.GuildID,
		"CITEBOT_LOG_LEVEL": "debug",
	}
	for k, v := range env {
		vars[k] = v
	}
	serveHook = func(o *bot.Options) {
		o.HTTPClient = fake.Client()
		if hook != nil {
			hook(o)
		}
	}
	t.Cleanup(func() { serveHook = nil })
	s := &served{fake: fake, logs: &discordtest.Log{}}
	s.Process = discordtest.Start(t, s.logs, "citebot is online", func(ctx context.Context) error {
		return run(ctx, []string{"serve"}, func(k string) string { return vars[k] }, strings.NewReader(""), io.Discard, s.logs)
	})
	return s
}

// waitCtx bounds one wait of a test.
var waitCtx = discordtest.WaitContext

// callback waits for the acknowledgement of an interaction.
func callback(t *testing.T, fake *discordtest.Server, in discordtest.Interaction) discordtest.Request {
	t.Helper()
	r, err := fake.WaitRequest(waitCtx(t), func(r discordtest.Request) bool {
		return r.Interaction == in.ID && strings.HasSuffix(r.Route, "/callback")
	})
	if err != nil {
		t.Fatalf("no interaction callback: %v", err)
	}
	return r
}

// finalEdit waits for the edit of an interaction's original response and
// returns the message as it then is.
func finalEdit(t *testing.T, fake *discordtest.Server, in discordtest.Interaction) discordtest.Message {
	t.Helper()
	if _, err := fake.WaitRequest(waitCtx(t), func(r discordtest.Request) bool {
		return r.Interaction == in.ID && r.Method == "PATCH" && r.Status == 200
	}); err != nil {
		t.Fatalf("the original response was not edited: %v", err)
	}
	m, ok := fake.Response(in)
	if !ok {
		t.Fatal("no original response")
	}
	return m
}

// replyTo waits for the bot's reply to a message.
func replyTo(t *testing.T, fake *discordtest.Server, msg discordtest.Message) discordtest.Request {
	t.Helper()
	r, err := fake.WaitReply(waitCtx(t), msg.ID)
	if err != nil {
		t.Fatalf("no reply to message %s: %v", msg.ID, err)
	}
	return r
}

func mustInvoke(t *testing.T, fake *discordtest.Server, inv discordtest.Invocation) discordtest.Interaction {
	t.Helper()
	in, err := fake.Invoke(inv)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func mustPost(t *testing.T, fake *discordtest.Server, p discordtest.Post) discordtest.Message {
	t.Helper()
	m, err := fake.Post(p)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// messageText is the visible text of a message payload the bot sent.
func messageText(body map[string]any) string {
	var m discordtest.Message
	m.Content, _ = body["content"].(string)
	for _, e := range discordtest.Objects(body["embeds"]) {
		m.Embeds = append(m.Embeds, e)
	}
	for _, c := range discordtest.Objects(body["components"]) {
		m.Components = append(m.Components, c)
	}
	return m.Text()
}

const (
	bidenXi      = "when did Biden and Xi last speak?"
	aprilArticle = "004_bf2e7a1252b3b5c1"
)

func TestServeEndToEnd(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	s := startServe(t, fake, map[string]string{"CITEBOT_USER_RATE": "3"}, nil)
	alice := fake.NewUser("alice")

	t.Run("registers the commands once, in the guild", func(t *testing.T) {
		regs := fake.Registrations()
		if len(regs) != 1 {
			t.Fatalf("got %d bulk overwrites, want 1", len(regs))
		}
		var names []string
		for _, c := range regs[0] {
			names = append(names, c["name"].(string))
		}
		if got, want := strings.Join(names, " "), "ask search timeline sources article help"; got != want {
			t.Errorf("registered %q, want %q", got, want)
		}
		put, _ := fake.WaitRequest(waitCtx(t), func(r discordtest.Request) bool { return r.Method == "PUT" })
		if want := "/applications/{application}/guilds/{guild}/commands"; put.Route != want {
			t.Errorf("registered at %s, want the guild route %s", put.Route, want)
		}
		if got := fake.GatewayStats().Intents; got != int(bot.Intents) || got&discordtest.IntentMessageContent != 0 {
			t.Errorf("identified with intents %d, want %d (no MESSAGE_CONTENT)", got, bot.Intents)
		}
	})

	t.Run("ask defers within the deadline then edits in the cited answer", func(t *testing.T) {
		in := mustInvoke(t, fake, discordtest.Ask(alice, bidenXi))
		ack := callback(t, fake, in)
		if got := ack.Body["type"]; got != float64(5) {
			t.Errorf("acknowledged with type %v, want 5 (deferred)", got)
		}
		if ack.Status != 204 {
			t.Errorf("acknowledgement answered %d %s, want 204", ack.Status, ack.Response)
		}
		t.Logf("deferred %s after dispatch", ack.Since.Round(time.Millisecond))
		m := finalEdit(t, fake, in)
		text := m.Text()
		for _, want := range []string{"April 2024", aprilArticle, "Sources", "(approx.)"} {
			if !strings.Contains(text, want) {
				t.Errorf("answer lacks %q:\n%s", want, text)
			}
		}
		if m.Flags&64 != 0 {
			t.Errorf("answer is ephemeral, want public")
		}
	})

	t.Run("ask as_of and ephemeral", func(t *testing.T) {
		alice := fake.NewUser("erin")
		in := mustInvoke(t, fake, discordtest.Ask(alice, bidenXi, discordtest.Opt{Name: "ephemeral", Value: true}, discordtest.Opt{Name: "as_of", Value: "2023-06-01"}))
		ack := callback(t, fake, in)
		data, _ := ack.Body["data"].(map[string]any)
		if got := data["flags"]; got != float64(64) {
			t.Errorf("deferred with flags %v, want 64 (ephemeral)", got)
		}
		text := finalEdit(t, fake, in).Text()
		for _, later := range []string{aprilArticle, "001_48f8343459885b5d"} {
			if strings.Contains(text, later) {
				t.Errorf("an answer as of 2023-06-01 cites %s, published later:\n%s", later, text)
			}
		}
		if !strings.Contains(text, "2023") && !strings.Contains(text, "2021") {
			t.Errorf("answer as of 2023-06-01 mentions no year up to then:\n%s", text)
		}
	})

	t.Run("a malformed as_of gets a friendly ephemeral reply", func(t *testing.T) {
		in := mustInvoke(t, fake, discordtest.Ask(alice, bidenXi, discordtest.Opt{Name: "as_of", Value: "01/06/2023"}))
		ack := callback(t, fake, in)
		data, _ := ack.Body["data"].(map[string]any)
		if ack.Body["type"] != float64(4) || data["flags"] != float64(64) {
			t.Errorf("got type %v flags %v, want an ephemeral message (4, 64)", ack.Body["type"], data["flags"])
		}
		if got := messageText(data); !strings.Contains(got, "2024-10-01") || !strings.Contains(got, "01/06/2023") {
			t.Errorf("notice %q should show the expected form and what was given", got)
		}
	})

	t.Run("a mention is answered as a reply", func(t *testing.T) {
		bob := fake.NewUser("bob")
		ignored := mustPost(t, fake, discordtest.Post{Author: bob, Content: bidenXi})
		msg := mustPost(t, fake, discordtest.Post{Author: bob, Content: "<@" + fake.BotUser.ID + "> " + bidenXi})
		r := replyTo(t, fake, msg)
		if r.Status != 200 {
			t.Fatalf("reply answered %d: %s", r.Status, r.Response)
		}
		text := messageText(r.Body)
		if !strings.Contains(text, "April 2024") || !strings.Contains(text, aprilArticle) {
			t.Errorf("reply lacks the answer:\n%s", text)
		}
		ref := r.Body["message_reference"].(map[string]any)
		if ref["fail_if_not_exists"] != false {
			t.Errorf("message_reference = %v, want fail_if_not_exists false", ref)
		}
		for _, req := range fake.Requests() {
			if req.RepliesTo(ignored.ID) {
				t.Errorf("the bot answered a message that does not mention it")
			}
		}
	})

	t.Run("a direct message is answered", func(t *testing.T) {
		carol := fake.NewUser("carol")
		msg := mustPost(t, fake, discordtest.Post{Author: carol, DM: true, Content: bidenXi})
		r := replyTo(t, fake, msg)
		if got := messageText(r.Body); !strings.Contains(got, "April 2024") {
			t.Errorf("DM reply lacks the answer:\n%s", got)
		}
		if r.Path != "/api/v9/channels/"+fake.DMChannel(carol)+"/messages" {
			t.Errorf("replied at %s, want the DM channel", r.Path)
		}
	})

	t.Run("search", func(t *testing.T) {
		alice := fake.NewUser("frank")
		in := mustInvoke(t, fake, discordtest.Invocation{Command: "search", User: alice, Options: []discordtest.Opt{{Name: "query", Value: "theater commander call"}}})
		text := finalEdit(t, fake, in).Text()
		// Article 001 is the one about the theater commander call.
		if !strings.Contains(text, "Passages for") || !strings.Contains(text, "001_48f8343459885b5d") || !strings.Contains(text, "relevance") {
			t.Errorf("search results lack the expected passage:\n%s", text)
		}
	})

	t.Run("sources", func(t *testing.T) {
		in := mustInvoke(t, fake, discordtest.Invocation{Command: "sources", User: alice})
		ack := callback(t, fake, in)
		text := messageText(ack.Message())
		for _, want := range []string{"5 articles", "10 September 2021", "1 October 2024", "Biden seeks call with Xi after spy balloon tensions"} {
			if !strings.Contains(text, want) {
				t.Errorf("/sources lacks %q:\n%s", want, text)
			}
		}
	})

	t.Run("article autocomplete then article", func(t *testing.T) {
		in := mustInvoke(t, fake, discordtest.Invocation{Command: "article", User: alice, Focused: "id", Options: []discordtest.Opt{{Name: "id", Value: "spy ball"}}})
		ack := callback(t, fake, in)
		if ack.Body["type"] != float64(8) || ack.Status != 204 {
			t.Fatalf("autocomplete answered type %v status %d, want 8 and 204", ack.Body["type"], ack.Status)
		}
		choices := discordtest.Objects(ack.Message()["choices"])
		if len(choices) == 0 || choices[0]["value"] != "003_e8560d62097cf880" {
			t.Fatalf("choices %v, want the spy balloon article first", choices)
		}
		t.Logf("first choice: %s", choices[0]["name"])
		in = mustInvoke(t, fake, discordtest.Invocation{Command: "article", User: alice, Options: []discordtest.Opt{{Name: "id", Value: choices[0]["value"]}}})
		text := messageText(callback(t, fake, in).Message())
		if !strings.Contains(text, "Biden seeks call with Xi after spy balloon tensions") || !strings.Contains(text, "2023-03-13") {
			t.Errorf("/article shows:\n%s", text)
		}
	})

	t.Run("@everyone in a question pings nobody", func(t *testing.T) {
		alice := fake.NewUser("grace")
		q := "@everyone @here <@&123456789012345678> <@987654321098765432> " + bidenXi
		in := mustInvoke(t, fake, discordtest.Ask(alice, q))
		m := finalEdit(t, fake, in)
		msg := mustPost(t, fake, discordtest.Post{Author: alice, Content: "<@" + fake.BotUser.ID + "> " + q})
		r := replyTo(t, fake, msg)
		for _, text := range []string{m.Text(), messageText(r.Body)} {
			for _, bad := range []string{"@everyone", "@here", "<@&123456789012345678>", "<@987654321098765432>"} {
				if strings.Contains(text, bad) {
					t.Errorf("rendered text contains live mention syntax %q:\n%s", bad, text)
				}
			}
		}
	})

	t.Run("rate limit", func(t *testing.T) {
		dave := fake.NewUser("dave")
		var ins []discordtest.Interaction
		for range 4 {
			ins = append(ins, mustInvoke(t, fake, discordtest.Ask(dave, bidenXi)))
		}
		deferred, limited := 0, 0
		for _, in := range ins {
			ack := callback(t, fake, in)
			switch ack.Body["type"] {
			case float64(5):
				deferred++
			case float64(4):
				limited++
				text := messageText(ack.Message())
				if !strings.Contains(text, "3 questions a minute") || !strings.Contains(text, "Try again in") {
					t.Errorf("rate-limit notice = %q", text)
				}
				if ack.Message()["flags"] != float64(64) {
					t.Errorf("rate-limit notice is not ephemeral")
				}
			}
		}
		if deferred != 3 || limited != 1 {
			t.Errorf("got %d answered and %d limited, want 3 and 1 (CITEBOT_USER_RATE=3)", deferred, limited)
		}
	})

	t.Run("a dropped connection resumes and keeps working", func(t *testing.T) {
		alice := fake.NewUser("heidi")
		before := fake.GatewayStats()
		if err := fake.DropConnection(); err != nil {
			t.Fatal(err)
		}
		// Dispatched while the bot is away: replayed when it resumes.
		in := mustInvoke(t, fake, discordtest.Ask(alice, bidenXi))
		if err := fake.WaitGateway(waitCtx(t), func(st discordtest.GatewayStats) bool {
			return st.Resumed > before.Resumed && st.Connected
		}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(finalEdit(t, fake, in).Text(), "April 2024") {
			t.Errorf("the replayed question was not answered")
		}
		if err := fake.Disrupt(waitCtx(t), (*discordtest.Server).RequestReconnect); err != nil {
			t.Fatal(err)
		}
		if err := fake.WaitGateway(waitCtx(t), func(st discordtest.GatewayStats) bool {
			return st.Resumed > before.Resumed+1 && st.Connected
		}); err != nil {
			t.Fatal(err)
		}
		in = mustInvoke(t, fake, discordtest.Ask(alice, bidenXi))
		if !strings.Contains(finalEdit(t, fake, in).Text(), "April 2024") {
			t.Errorf("no answer after RECONNECT")
		}
		st := fake.GatewayStats()
		t.Logf("gateway: %d connections, %d identify, %d resumes, %d replayed, %d heartbeats", st.Connections, st.Identifies, st.Resumes, st.Replayed, st.Heartbeats)
		if st.Identifies != 1 {
			t.Errorf("identified %d times, want 1 (resumes only)", st.Identifies)
		}
	})

	if err := s.Stop(t); err != nil {
		t.Errorf("serve returned %v after the shutdown signal, want nil", err)
	}

	t.Run("every message allows no mentions", func(t *testing.T) {
		n := 0
		for _, r := range fake.Requests() {
			if !r.CarriesMessage() {
				continue
			}
			n++
			am, ok := r.Message()["allowed_mentions"].(map[string]any)
			parse, isList := am["parse"].([]any)
			if !ok || !isList || len(parse) != 0 {
				t.Errorf("%s %s sent allowed_mentions %v, want {\"parse\":[]}", r.Method, r.Path, r.Message()["allowed_mentions"])
			}
			if replied, _ := am["replied_user"].(bool); replied {
				t.Errorf("%s %s pings the replied-to user", r.Method, r.Path)
			}
			if r.Status >= 400 {
				t.Errorf("%s %s was refused: %d %s", r.Method, r.Path, r.Status, r.Response)
			}
		}
		t.Logf("%d message-carrying requests checked", n)
	})

	t.Run("the token never reaches the logs", func(t *testing.T) {
		if strings.Contains(s.logs.String(), fake.Token()) {
			t.Error("the logs contain the bot token")
		}
		if !strings.Contains(s.logs.String(), "citebot is online") {
			t.Errorf("logs lack the start-up line:\n%s", s.logs)
		}
	})
	if st := fake.GatewayStats(); st.Connected {
		t.Errorf("the gateway connection is still open after serve returned")
	}
}

func TestServeShutdownWhileAnswering(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	s := startServe(t, fake, nil, nil)
	alice := fake.NewUser("alice")

	hold := fake.Hold("POST /interactions/{interaction}/{token}/callback")
	first := mustInvoke(t, fake, discordtest.Ask(alice, bidenXi))
	select {
	case <-hold.Arrived():
	case <-waitCtx(t).Done():
		t.Fatal("the first question was not acknowledged")
	}
	// SIGINT while the first answer is in progress.
	s.Cancel()
	ctx := waitCtx(t)
	for !strings.Contains(s.logs.String(), "shutting down") {
		select {
		case <-ctx.Done():
			t.Fatalf("no shutdown log line:\n%s", s.logs)
		case <-time.After(5 * time.Millisecond):
		}
	}
	late := mustInvoke(t, fake, discordtest.Ask(fake.NewUser("bob"), bidenXi))
	ack := callback(t, fake, late)
	if got := messageText(ack.Message()); ack.Body["type"] != float64(4) || !strings.Contains(got, "shutting down") {
		t.Errorf("a question during shutdown got type %v %q, want a shutting-down notice", ack.Body["type"], got)
	}
	hold.Release()
	if err := s.Wait(t); err != nil {
		t.Errorf("serve returned %v, want nil", err)
	}
	m, ok := fake.Response(first)
	if !ok || !strings.Contains(m.Text(), "April 2024") {
		t.Errorf("the answer in progress was not finished before exit: %q", m.Text())
	}
	if fake.GatewayStats().Connected {
		t.Error("the gateway session is still open")
	}
}

func TestServeChecksTheTokenBeforeConnecting(t *testing.T) {
	cases := []struct {
		name, token, want string
	}{
		{"missing", "", "DISCORD_TOKEN"},
		{"malformed", "not-a-token", "malformed"},
		{"white space", "abc def.ghi.jkl", "white space"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := discordtest.New(t, discordtest.Options{})
			serveHook = func(o *bot.Options) { o.HTTPClient = fake.Client() }
			t.Cleanup(func() { serveHook = nil })
			vars := map[string]string{"DISCORD_TOKEN": tc.token, "CITEBOT_DATA_DIR": t.TempDir()}
			var stderr bytes.Buffer
			err := run(context.Background(), []string{"serve"}, func(k string) string { return vars[k] }, strings.NewReader(""), io.Discard, &stderr)
			if err == nil || !strings.Contains(err.Error(), "discord.token") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a discord.token error mentioning %q", err, tc.want)
			}
			if tc.token != "" && strings.Contains(err.Error(), tc.token) {
				t.Errorf("the error shows the token: %v", err)
			}
			if n := len(fake.Requests()); n != 0 {
				t.Errorf("%d requests reached Discord; the token must be checked first", n)
			}
			if got := exitCode(err, io.Discard); got != 1 {
				t.Errorf("exit code %d, want 1", got)
			}
		})
	}
}

func TestServeRejectedToken(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	wrong := strings.Replace(fake.Token(), "abc", "xyz", 1)
	if wrong == fake.Token() {
		t.Fatal("test token unchanged")
	}
	serveHook = func(o *bot.Options) { o.HTTPClient = fake.Client() }
	t.Cleanup(func() { serveHook = nil })
	vars := map[string]string{"DISCORD_TOKEN": wrong, "CITEBOT_DATA_DIR": t.TempDir()}
	logs := &discordtest.Log{}
	err := run(context.Background(), []string{"serve"}, func(k string) string { return vars[k] }, strings.NewReader(""), io.Discard, logs)
	if err == nil || !strings.Contains(err.Error(), "token was rejected") {
		t.Fatalf("got %v, want a rejected-token error", err)
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(logs.String(), wrong) {
		t.Error("the token appears in the error or the logs")
	}
	if st := fake.GatewayStats(); st.Identifies != 0 || st.Connected {
		t.Errorf("a session was established with a wrong token: %+v", st)
	}
}

// gatedAnswerer holds each answer of the real answerer until released.
type gatedAnswerer struct {
	real    bot.Answerer
	entered chan struct{}
	release chan struct{}
}

func (g *gatedAnswerer) Answer(ctx context.Context, q rag.Query) (rag.Answer, error) {
	g.entered <- struct{}{}
	select {
	case <-g.release:
	case <-ctx.Done():
		return rag.Answer{}, ctx.Err()
	}
	return g.real.Answer(ctx, q)
}

// TestServeGatewayDropWhileAnswering drops the gateway connection while
// the real answerer is working on a question: the answer is still
// delivered (over REST), the bot resumes the session by itself and
// answers the next question.
func TestServeGatewayDropWhileAnswering(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	gate := &gatedAnswerer{entered: make(chan struct{}, 4), release: make(chan struct{})}
	s := startServe(t, fake, nil, func(o *bot.Options) {
		gate.real = o.Answerer
		o.Answerer = gate
	})
	alice := fake.NewUser("alice")
	in := mustInvoke(t, fake, discordtest.Ask(alice, bidenXi))
	select {
	case <-gate.entered:
	case <-waitCtx(t).Done():
		t.Fatal("the question did not reach the answerer")
	}
	before := fake.GatewayStats()
	if err := fake.DropConnection(); err != nil {
		t.Fatal(err)
	}
	close(gate.release)
	if !strings.Contains(finalEdit(t, fake, in).Text(), "April 2024") {
		t.Errorf("the answer in progress when the connection dropped was not delivered")
	}
	if err := fake.WaitGateway(waitCtx(t), func(st discordtest.GatewayStats) bool { return st.Resumed > before.Resumed && st.Connected }); err != nil {
		t.Fatalf("%v\nlogs:\n%s", err, s.logs)
	}
	next := mustInvoke(t, fake, discordtest.Ask(fake.NewUser("bob"), bidenXi))
	<-gate.entered
	if !strings.Contains(finalEdit(t, fake, next).Text(), "April 2024") {
		t.Errorf("no answer after resuming")
	}
	st := fake.GatewayStats()
	t.Logf("gateway: %d connections, %d identify, %d resumes", st.Connections, st.Identifies, st.Resumes)
	if err := s.Stop(t); err != nil {
		t.Errorf("serve returned %v", err)
	}
}

// TestServeOptionsFromConfig: the discord.* settings reach the bot.
func TestServeOptionsFromConfig(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	var got bot.Options
	env := map[string]string{
		"CITEBOT_ANSWER_TIMEOUT": "90s",
		"CITEBOT_USER_RATE":      "3",
		"CITEBOT_MAX_CONCURRENT": "5",
		"CITEBOT_SHUTDOWN_GRACE": "42s",
	}
	s := startServe(t, fake, env, func(o *bot.Options) { got = *o })
	if err := s.Stop(t); err != nil {
		t.Errorf("serve returned %v", err)
	}
	if got.AnswerTimeout != 90*time.Second || got.UserRate != 3 || got.MaxConcurrent != 5 || got.ShutdownGrace != 42*time.Second {
		t.Errorf("bot options: answer timeout %s, user rate %d, max concurrent %d, shutdown grace %s; want 1m30s, 3, 5, 42s",
			got.AnswerTimeout, got.UserRate, got.MaxConcurrent, got.ShutdownGrace)
	}
}
