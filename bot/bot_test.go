package bot_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"citebot/bot"
	"citebot/bot/discordtest"
	"citebot/bot/internal/render"
	"citebot/rag"
)

// answerFunc adapts a function to bot.Answerer.
type answerFunc func(ctx context.Context, q rag.Query) (rag.Answer, error)

func (f answerFunc) Answer(ctx context.Context, q rag.Query) (rag.Answer, error) { return f(ctx, q) }

type noSearch struct{}

func (noSearch) Search(context.Context, string, rag.SearchOptions) ([]rag.Passage, error) {
	return nil, nil
}

type library []bot.ArticleInfo

func (l library) Articles() []bot.ArticleInfo { return l }
func (l library) Article(id string) (bot.ArticleInfo, bool) {
	for _, a := range l {
		if a.ID == id {
			return a, true
		}
	}
	return bot.ArticleInfo{}, false
}

// running is a bot started against a fake Discord.
type running struct {
	*discordtest.Process
	bot  *bot.Bot
	fake *discordtest.Server
	logs *discordtest.Log
}

// startBot runs a bot with opts against fake and waits until it is online
// (commands registered). It reconnects after a lost connection (on a
// loaded machine a heartbeat ACK can come late enough for the bot to give
// a connection up), as startBotReconnecting does.
func startBot(t *testing.T, fake *discordtest.Server, opts bot.Options) *running {
	t.Helper()
	return startBotReconnecting(t, fake, opts)
}

// startBotReconnecting is startBot with opts.DisableReconnect as given.
func startBotReconnecting(t *testing.T, fake *discordtest.Server, opts bot.Options) *running {
	t.Helper()
	r := &running{fake: fake, logs: &discordtest.Log{}}
	opts.Token = fake.Token()
	if opts.HTTPClient == nil {
		opts.HTTPClient = fake.Client()
	}
	opts.Logger = slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if opts.Searcher == nil {
		opts.Searcher = noSearch{}
	}
	if opts.Library == nil {
		opts.Library = library(testArticles())
	}
	b, err := bot.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	r.bot = b
	r.Process = discordtest.Start(t, r.logs, "citebot is online", b.Run)
	return r
}

// waitCtx bounds one wait of a test.
var waitCtx = discordtest.WaitContext

func ask(t *testing.T, fake *discordtest.Server, u discordtest.User, question string, more ...discordtest.Opt) discordtest.Interaction {
	t.Helper()
	return invoke(t, fake, discordtest.Ask(u, question, more...))
}

// invoke dispatches a slash command invocation and fails the test when
// the fake cannot.
func invoke(t *testing.T, fake *discordtest.Server, inv discordtest.Invocation) discordtest.Interaction {
	t.Helper()
	in, err := fake.Invoke(inv)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// edits returns the successful edits of an interaction's messages once
// one satisfies last.
func waitEdit(t *testing.T, fake *discordtest.Server, in discordtest.Interaction, last func(discordtest.Request) bool) []discordtest.Request {
	t.Helper()
	if _, err := fake.WaitRequest(waitCtx(t), func(r discordtest.Request) bool {
		return r.Interaction == in.ID && r.Method == "PATCH" && r.Status == 200 && last(r)
	}); err != nil {
		t.Fatalf("edit not seen: %v", err)
	}
	var out []discordtest.Request
	for _, r := range fake.Requests() {
		if r.Interaction == in.ID && r.Method == "PATCH" && r.Status == 200 {
			out = append(out, r)
		}
	}
	return out
}

func bodyText(r discordtest.Request) string {
	var b strings.Builder
	c, _ := r.Body["content"].(string)
	b.WriteString(c)
	embeds, _ := r.Body["embeds"].([]any)
	for _, e := range embeds {
		e := e.(map[string]any)
		for _, k := range []string{"title", "description"} {
			if s, ok := e[k].(string); ok {
				b.WriteString("\n" + s)
			}
		}
		if f, ok := e["footer"].(map[string]any); ok {
			ft, _ := f["text"].(string)
			b.WriteString("\n" + ft)
		}
		fs, _ := e["fields"].([]any)
		for _, f := range fs {
			f := f.(map[string]any)
			b.WriteString("\n" + f["name"].(string) + "\n" + f["value"].(string))
		}
	}
	return b.String()
}

func isFinal(r discordtest.Request) bool { return strings.Contains(bodyText(r), "Sources") }

func TestStreamingEditsAreThrottled(t *testing.T) {
	t.Parallel()
	const interval = 60 * time.Millisecond
	fake := discordtest.New(t, discordtest.Options{})
	final := bidenXiAnswer()
	r := startBot(t, fake, bot.Options{StreamInterval: interval, Answerer: answerFunc(func(ctx context.Context, q rag.Query) (rag.Answer, error) {
		for _, w := range strings.Fields(final.Text) {
			q.OnDelta(w + " ")
			time.Sleep(8 * time.Millisecond)
		}
		return final, nil
	})})
	in := ask(t, fake, fake.NewUser("ann"), final.Question)
	edits := waitEdit(t, fake, in, isFinal)
	words := len(strings.Fields(final.Text))
	if len(edits) < 3 {
		t.Fatalf("got %d edits, want streaming edits before the final one", len(edits))
	}
	if len(edits) > words/3 {
		t.Errorf("got %d edits for %d fragments: not throttled", len(edits), words)
	}
	for i, e := range edits[:len(edits)-1] {
		if !strings.Contains(bodyText(e), "Writing") {
			t.Errorf("streaming edit %d is not marked as unfinished", i)
		}
		if i > 0 {
			if gap := e.At.Sub(edits[i-1].At); gap < interval/2 {
				t.Errorf("streaming edits %d and %d arrived %s apart, want about %s or more", i-1, i, gap, interval)
			}
		}
	}
	if last := edits[len(edits)-1]; !strings.Contains(bodyText(last), "004_bf2e7a1252b3b5c1") || strings.Contains(bodyText(last), "Writing") {
		t.Errorf("the last edit is not the verified answer:\n%s", bodyText(last))
	}
	t.Logf("%d fragments → %d edits", words, len(edits))
	if err := r.Stop(t); err != nil {
		t.Errorf("Run returned %v", err)
	}
}

// blocked is an answerer that waits for release or the end of its context.
type blocked struct {
	release chan struct{}
	started chan struct{}
}

func newBlocked() *blocked {
	return &blocked{release: make(chan struct{}), started: make(chan struct{}, 16)}
}

func (b *blocked) Answer(ctx context.Context, q rag.Query) (rag.Answer, error) {
	b.started <- struct{}{}
	select {
	case <-b.release:
		a := bidenXiAnswer()
		a.Question = q.Question
		return a, nil
	case <-ctx.Done():
		return rag.Answer{}, ctx.Err()
	}
}

func TestShutdownTellsAskersWhoseAnswersDoNotFinish(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	ans := newBlocked()
	r := startBot(t, fake, bot.Options{ShutdownGrace: 50 * time.Millisecond, Answerer: ans})
	in := ask(t, fake, fake.NewUser("ann"), "when did they speak?")
	<-ans.started
	if err := r.Stop(t); err != nil {
		t.Errorf("Run returned %v, want nil", err)
	}
	m, ok := fake.Response(in)
	if !ok || !strings.Contains(m.Content, "shutting down") {
		t.Errorf("the asker was not told: %+v", m)
	}
	if fake.GatewayStats().Connected {
		t.Error("session still open after Run returned")
	}
}

func TestAnswerTimeout(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	startBot(t, fake, bot.Options{AnswerTimeout: 100 * time.Millisecond, Answerer: newBlocked()})
	in := ask(t, fake, fake.NewUser("ann"), "when did they speak?")
	edits := waitEdit(t, fake, in, func(discordtest.Request) bool { return true })
	if got := bodyText(edits[0]); !strings.Contains(got, "took longer than 100ms") {
		t.Errorf("timeout message = %q", got)
	}
}

func TestBusyReply(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	ans := newBlocked()
	startBot(t, fake, bot.Options{MaxConcurrent: 1, Answerer: ans})
	first := ask(t, fake, fake.NewUser("ann"), "first question?")
	<-ans.started
	second := ask(t, fake, fake.NewUser("bob"), "second question?")
	ack, err := fake.WaitRequest(waitCtx(t), func(r discordtest.Request) bool { return r.Interaction == second.ID })
	if err != nil {
		t.Fatal(err)
	}
	data := ack.Message()
	if ack.Body["type"] != float64(4) || data["flags"] != float64(64) || !strings.Contains(data["content"].(string), "busy") || !strings.Contains(data["content"].(string), "Try again in") {
		t.Errorf("second question got %v", ack.Body)
	}
	close(ans.release)
	waitEdit(t, fake, first, isFinal)
}

func TestLongAnswerContinuesInFollowUps(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	long := longAnswer(60)
	startBot(t, fake, bot.Options{Answerer: answerFunc(func(context.Context, rag.Query) (rag.Answer, error) { return long, nil })})
	in := ask(t, fake, fake.NewUser("ann"), "tell me everything", discordtest.Opt{Name: "ephemeral", Value: true})
	want := len(render.Answer(long)) - 1
	ctx := waitCtx(t)
	for len(fake.Followups(in)) < want {
		select {
		case <-ctx.Done():
			t.Fatalf("got %d follow-ups, want %d", len(fake.Followups(in)), want)
		case <-time.After(5 * time.Millisecond):
		}
	}
	for _, r := range fake.Requests() {
		if r.Interaction == in.ID && r.Status >= 400 {
			t.Errorf("%s %s refused: %s", r.Method, r.Route, r.Response)
		}
	}
	for i, f := range fake.Followups(in) {
		if f.Flags&64 == 0 {
			t.Errorf("follow-up %d of an ephemeral answer is public", i)
		}
	}
	last := fake.Followups(in)[want-1]
	if len(last.Components) == 0 {
		t.Error("the link buttons are not on the last message")
	}
}

func TestRateLimitedEditIsRetried(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	fake.RateLimit("PATCH /webhooks/{application}/{token}/messages/{message}", 1, 100*time.Millisecond)
	startBot(t, fake, bot.Options{Answerer: answerFunc(func(context.Context, rag.Query) (rag.Answer, error) { return bidenXiAnswer(), nil })})
	in := ask(t, fake, fake.NewUser("ann"), "when?")
	waitEdit(t, fake, in, isFinal)
	var statuses []int
	for _, r := range fake.Requests() {
		if r.Interaction == in.ID && r.Method == "PATCH" {
			statuses = append(statuses, r.Status)
		}
	}
	if len(statuses) != 2 || statuses[0] != 429 || statuses[1] != 200 {
		t.Errorf("edit statuses %v, want [429 200]", statuses)
	}
}

func TestErrorsReachUsersAsReasons(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	r := startBot(t, fake, bot.Options{Answerer: answerFunc(func(context.Context, rag.Query) (rag.Answer, error) {
		return rag.Answer{}, errors.New("upstream said: internal detail 1234")
	})})
	in := ask(t, fake, fake.NewUser("ann"), "when?")
	got := bodyText(waitEdit(t, fake, in, func(discordtest.Request) bool { return true })[0])
	if !strings.Contains(got, "something went wrong") || strings.Contains(got, "1234") {
		t.Errorf("user sees %q, want a short reason without the cause", got)
	}
	if !strings.Contains(r.logs.String(), "internal detail 1234") {
		t.Errorf("the cause is not logged:\n%s", r.logs)
	}
	if strings.Contains(r.logs.String(), fake.Token()) {
		t.Error("the token is in the logs")
	}
}

func TestMessagesFromBotsAndItselfAreIgnored(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	startBot(t, fake, bot.Options{Answerer: answerFunc(func(_ context.Context, q rag.Query) (rag.Answer, error) {
		a := bidenXiAnswer()
		a.Question = q.Question
		return a, nil
	})})
	mention := "<@" + fake.BotUser.ID + "> "
	other, err := fake.Post(discordtest.Post{Author: discordtest.User{ID: fake.Snowflake(), Username: "otherbot", Bot: true}, Content: mention + "when?"})
	if err != nil {
		t.Fatal(err)
	}
	human, err := fake.Post(discordtest.Post{Author: fake.NewUser("ann"), Content: mention + "   "})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := fake.WaitReply(waitCtx(t), human.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := bodyText(reply); !strings.Contains(got, "Ask me a question") {
		t.Errorf("an empty mention got %q, want a usage hint", got)
	}
	// The hint itself came back through the gateway (Discord echoes the
	// bot's messages); the bot must not answer it, nor the other bot.
	second, err := fake.Post(discordtest.Post{Author: fake.NewUser("bob"), Content: mention + "when did they speak?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitReply(waitCtx(t), second.ID); err != nil {
		t.Fatal(err)
	}
	replies := 0
	for _, r := range fake.Requests() {
		if r.Route == "/channels/{channel}/messages" {
			replies++
			if r.RepliesTo(other.ID) {
				t.Error("the bot answered another bot")
			}
		}
	}
	if replies != 2 {
		t.Errorf("the bot sent %d messages, want 2 (it must not answer its own)", replies)
	}
}

func TestOpenHasADeadline(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{StallGateway: true})
	b, err := bot.New(bot.Options{Token: fake.Token(), HTTPClient: fake.Client(), OpenTimeout: 200 * time.Millisecond,
		Answerer: newBlocked(), Searcher: noSearch{}, Library: library(nil), DisableReconnect: true,
		Logger: slog.New(slog.NewTextHandler(&discordtest.Log{}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Run(context.Background()) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "no session within 200ms") {
			t.Errorf("Run returned %v, want a connect timeout", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run hung on a gateway that never says HELLO")
	}
}

func TestNewChecksOptions(t *testing.T) {
	if _, err := bot.New(bot.Options{Answerer: newBlocked(), Searcher: noSearch{}, Library: library(nil)}); err == nil {
		t.Error("New accepted an empty token")
	}
	if _, err := bot.New(bot.Options{Token: "x.y.z"}); err == nil {
		t.Error("New accepted missing Answerer, Searcher and Library")
	}
}

func TestCommandsAreValid(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	startBot(t, fake, bot.Options{Answerer: newBlocked()})
	put, _ := fake.WaitRequest(waitCtx(t), func(r discordtest.Request) bool { return r.Method == "PUT" })
	if put.Route != "/applications/{application}/commands" {
		t.Errorf("without a guild id, commands went to %s, want the global route", put.Route)
	}
	for _, c := range fake.Registrations()[0] {
		ctxs, _ := c["contexts"].([]any)
		if len(ctxs) != 2 || c["dm_permission"] != true {
			t.Errorf("/%s: contexts %v dm_permission %v, want guild and bot DM", c["name"], ctxs, c["dm_permission"])
		}
	}
}

func TestGlobalCommandsWorkInDMs(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	startBot(t, fake, bot.Options{Answerer: answerFunc(func(context.Context, rag.Query) (rag.Answer, error) { return bidenXiAnswer(), nil })})
	u := fake.NewUser("ann")
	in := invoke(t, fake, discordtest.Invocation{Command: "ask", User: u, DM: true, Options: []discordtest.Opt{{Name: "question", Value: "when?"}}})
	if in.Payload["member"] != nil || in.Payload["user"] == nil {
		t.Fatalf("DM payload has member %v and user %v, want user only", in.Payload["member"], in.Payload["user"])
	}
	edits := waitEdit(t, fake, in, isFinal)
	if got := bodyText(edits[len(edits)-1]); !strings.Contains(got, "004_bf2e7a1252b3b5c1") {
		t.Errorf("DM answer:\n%s", got)
	}
}

// TestStopWhileConnecting: a shutdown while discordgo is still asking
// Discord for the gateway URL (a request without a context, bounded only
// by the HTTP client's timeout) returns at once instead of waiting for it.
func TestStopWhileConnecting(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	hold := fake.Hold("GET /gateway")
	client := *fake.Client()
	client.Timeout = time.Hour // longer than the test waits: Run must not wait for it
	b, err := bot.New(bot.Options{Token: fake.Token(), HTTPClient: &client,
		Answerer: newBlocked(), Searcher: noSearch{}, Library: library(nil),
		Logger: slog.New(slog.NewTextHandler(&discordtest.Log{}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	select {
	case <-hold.Arrived():
	case <-waitCtx(t).Done():
		t.Fatal("the bot did not ask for the gateway URL")
	}
	cancel() // SIGTERM while the request is held
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v after a shutdown while connecting, want nil", err)
		}
	case <-waitCtx(t).Done():
		t.Fatal("Run waited for the held gateway request")
	}
	hold.Release()
}
