package discordtest_test

import (
	"errors"
	"flag"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/bot/discordtest"
)

// TestMain raises the default parallelism: these tests mostly wait
// (discordgo pauses a second when it closes a connection).
func TestMain(m *testing.M) {
	flag.Parse()
	if p := flag.Lookup("test.parallel"); p != nil && p.Value.String() == strconv.Itoa(runtime.GOMAXPROCS(0)) {
		_ = p.Value.Set("8")
	}
	os.Exit(m.Run())
}

// events gets every interaction and message a session receives.
type events struct {
	interactions chan *discordgo.Interaction
	messages     chan *discordgo.Message
}

// dial opens a plain discordgo session against the fake and returns Open's
// error.
func dial(t *testing.T, fake *discordtest.Server, intents discordgo.Intent, reconnect bool) (*discordgo.Session, events, error) {
	t.Helper()
	s, err := discordgo.New("Bot " + fake.Token())
	if err != nil {
		t.Fatal(err)
	}
	s.Client = fake.Client()
	s.ShouldReconnectOnError = reconnect
	s.Identify.Intents = intents
	s.LogLevel = -1
	ev := events{interactions: make(chan *discordgo.Interaction, 16), messages: make(chan *discordgo.Message, 16)}
	s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { ev.interactions <- i.Interaction })
	s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { ev.messages <- m.Message })
	done := make(chan error, 1)
	go func() { done <- s.Open() }()
	select {
	case err := <-done:
		if err != nil {
			return nil, ev, err
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Open did not return within 10s")
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, ev, nil
}

// connect is dial for tests that need the session: it fails the test when
// Open does.
func connect(t *testing.T, fake *discordtest.Server, intents discordgo.Intent, reconnect bool) (*discordgo.Session, events) {
	t.Helper()
	s, ev, err := dial(t, fake, intents, reconnect)
	if err != nil {
		t.Fatal(err)
	}
	return s, ev
}

const guildIntents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages

// registered starts a fake with default options and connects a session
// that may reconnect and has registered /ask.
func registered(t *testing.T) (*discordtest.Server, *discordgo.Session, events) {
	t.Helper()
	fake := discordtest.New(t, discordtest.Options{})
	s, ev := connect(t, fake, guildIntents, true)
	register(t, s, fake)
	return fake, s, ev
}

// asked is registered followed by Ann's /ask "q", received by the
// session: the fake, the session, and the interaction as the fake
// dispatched it and as the session received it.
func asked(t *testing.T) (*discordtest.Server, *discordgo.Session, discordtest.Interaction, *discordgo.Interaction) {
	t.Helper()
	fake, s, ev := registered(t)
	in, err := fake.Invoke(discordtest.Ask(fake.NewUser("ann"), "q"))
	if err != nil {
		t.Fatal(err)
	}
	return fake, s, in, receive(t, ev.interactions)
}

func register(t *testing.T, s *discordgo.Session, fake *discordtest.Server) {
	t.Helper()
	_, err := s.ApplicationCommandBulkOverwrite(fake.AppID, fake.GuildID, []*discordgo.ApplicationCommand{{
		Name: "ask", Description: "Ask", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "Q", Required: true}},
	}})
	if err != nil {
		t.Fatal(err)
	}
}

func receive[T any](t *testing.T, ch chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("nothing received")
		var zero T
		return zero
	}
}

func restCode(err error) (status, code int) {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		status = re.Response.StatusCode
		if re.Message != nil {
			code = re.Message.Code
		}
	}
	return status, code
}

func TestHandshakeHeartbeatsAndCompressedReady(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{HeartbeatInterval: 50 * time.Millisecond})
	// Reconnecting: on a loaded machine an ACK 50 ms late makes discordgo
	// give the connection up (and resume).
	s, _ := connect(t, fake, guildIntents, true)
	// discordgo asks for compression by default, so READY arrived zlib
	// compressed; the user id proves it was decoded.
	if s.State.User == nil || s.State.User.ID != fake.BotUser.ID || !s.State.User.Bot {
		t.Fatalf("READY user = %+v, want the bot user %s", s.State.User, fake.BotUser.ID)
	}
	if err := fake.WaitGateway(discordtest.WaitContext(t), func(st discordtest.GatewayStats) bool { return st.Heartbeats >= 3 }); err != nil {
		t.Fatal(err)
	}
	st := fake.GatewayStats()
	if st.Identifies != 1 || st.Ready != 1 || st.Intents != int(guildIntents) {
		t.Errorf("stats %+v, want one IDENTIFY with intents %d and one READY", st, guildIntents)
	}
}

func TestPrivilegedIntentsAreRefused(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	_, _, err := dial(t, fake, guildIntents|discordgo.IntentsMessageContent, false)
	if err == nil || !strings.Contains(err.Error(), "4014") {
		t.Fatalf("Open = %v, want close 4014 (disallowed intents)", err)
	}
}

func TestWrongTokenIsUnauthorized(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	s, _ := discordgo.New("Bot not-the-token")
	s.Client = fake.Client()
	_, err := s.GatewayBot()
	if status, _ := restCode(err); status != http.StatusUnauthorized {
		t.Errorf("GET /gateway/bot with a wrong token: %v, want 401", err)
	}
}

func TestInteractionAcknowledgementRules(t *testing.T) {
	t.Parallel()
	fake, s, ev := registered(t)
	user := fake.NewUser("ann")
	in, err := fake.Invoke(discordtest.Ask(user, "when?"))
	if err != nil {
		t.Fatal(err)
	}
	i := receive(t, ev.interactions)
	if i.ID != in.ID || i.Member == nil || i.Member.User.ID != user.ID || i.User != nil || i.Version != 1 || i.AppID != fake.AppID {
		t.Errorf("guild interaction decoded as %+v", i)
	}
	if got := i.ApplicationCommandData().Options[0].StringValue(); got != "when?" {
		t.Errorf("option value %q", got)
	}
	deferred := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
	if err := s.InteractionRespond(i, deferred); err != nil {
		t.Fatalf("first acknowledgement: %v", err)
	}
	err = s.InteractionRespond(i, deferred)
	if status, code := restCode(err); status != 400 || code != discordtest.CodeAlreadyAcknowledged {
		t.Errorf("second acknowledgement: %v, want 400 code 40060", err)
	}
	content := "done"
	if _, err := s.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &content}); err != nil {
		t.Errorf("edit @original: %v", err)
	}
	if _, err := s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{Content: "more"}); err != nil {
		t.Errorf("follow-up: %v", err)
	}
	if m, _ := fake.Response(in); m.Content != "done" || m.Flags&(1<<7) != 0 {
		t.Errorf("original response %+v, want the edited content without the loading flag", m)
	}

	// In a DM the payload has user instead of member.
	dm, err := fake.Invoke(discordtest.Invocation{Command: "ask", User: user, DM: true, Options: []discordtest.Opt{{Name: "question", Value: "dm?"}}})
	if err == nil {
		t.Errorf("a guild command was usable in a DM: %+v", dm)
	}
}

func TestLateAcknowledgementIsUnknown(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{AckDeadline: 20 * time.Millisecond})
	s, ev := connect(t, fake, guildIntents, true)
	register(t, s, fake)
	if _, err := fake.Invoke(discordtest.Ask(fake.NewUser("ann"), "q")); err != nil {
		t.Fatal(err)
	}
	i := receive(t, ev.interactions)
	time.Sleep(60 * time.Millisecond) // past the (shortened) deadline
	err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{Content: "late"}})
	if status, code := restCode(err); status != 404 || code != discordtest.CodeUnknownInteraction {
		t.Errorf("late acknowledgement: %v, want 404 code 10062", err)
	}
}

func TestMessageLimitsAreEnforced(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	s, _ := connect(t, fake, guildIntents, true)
	cases := map[string]*discordgo.MessageSend{
		"content over 2000":     {Content: strings.Repeat("x", 2001)},
		"description over 4096": {Embeds: []*discordgo.MessageEmbed{{Description: strings.Repeat("x", 4097)}}},
		"embeds over 6000":      {Embeds: []*discordgo.MessageEmbed{{Description: strings.Repeat("x", 4000)}, {Description: strings.Repeat("x", 2001)}}},
		"bad allowed mentions":  {Content: "x", AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{"bogus"}}},
		"empty":                 {},
		"six buttons in a row": {Content: "x", Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "1", Style: discordgo.LinkButton, URL: "https://a.example"}, discordgo.Button{Label: "2", Style: discordgo.LinkButton, URL: "https://a.example"},
			discordgo.Button{Label: "3", Style: discordgo.LinkButton, URL: "https://a.example"}, discordgo.Button{Label: "4", Style: discordgo.LinkButton, URL: "https://a.example"},
			discordgo.Button{Label: "5", Style: discordgo.LinkButton, URL: "https://a.example"}, discordgo.Button{Label: "6", Style: discordgo.LinkButton, URL: "https://a.example"}}}}},
		"link button without URL": {Content: "x", Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "1", Style: discordgo.LinkButton, URL: "javascript:alert(1)"}}}}},
	}
	for name, m := range cases {
		_, err := s.ChannelMessageSendComplex(fake.ChannelID, m)
		if status, code := restCode(err); status != 400 || (code != discordtest.CodeInvalidFormBody && code != discordtest.CodeCannotSendEmpty) {
			t.Errorf("%s: %v, want 400 Invalid Form Body", name, err)
		}
	}
	if _, err := s.ChannelMessageSendComplex(fake.ChannelID, &discordgo.MessageSend{Content: strings.Repeat("x", 2000)}); err != nil {
		t.Errorf("2000 characters refused: %v", err)
	}
	if _, err := s.ChannelMessageSend("123", "x"); err == nil {
		t.Error("a message to an unknown channel was accepted")
	}
}

func TestRepliesToUnknownMessages(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	s, _ := connect(t, fake, guildIntents, true)
	ref := &discordgo.MessageReference{MessageID: "111111111111111111", ChannelID: fake.ChannelID}
	if _, err := s.ChannelMessageSendComplex(fake.ChannelID, &discordgo.MessageSend{Content: "x", Reference: ref}); err == nil {
		t.Error("a reply to an unknown message was accepted without fail_if_not_exists false")
	}
	no := false
	ref.FailIfNotExists = &no
	m, err := s.ChannelMessageSendComplex(fake.ChannelID, &discordgo.MessageSend{Content: "x", Reference: ref})
	if err != nil || m.MessageReference != nil {
		t.Errorf("with fail_if_not_exists false: %v %+v, want a plain message", err, m)
	}
}

func TestMessageContentNeedsMentionOrDM(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	_, ev := connect(t, fake, guildIntents, true)
	u := fake.NewUser("ann")
	posts := []struct {
		post discordtest.Post
		want string
	}{
		{discordtest.Post{Author: u, Content: "hello there"}, ""},
		{discordtest.Post{Author: u, Content: "<@" + fake.BotUser.ID + "> hello"}, "<@" + fake.BotUser.ID + "> hello"},
		{discordtest.Post{Author: u, DM: true, Content: "in a DM"}, "in a DM"},
	}
	for _, p := range posts {
		if _, err := fake.Post(p.post); err != nil {
			t.Fatal(err)
		}
		m := receive(t, ev.messages)
		if m.Content != p.want {
			t.Errorf("content %q delivered as %q, want %q", p.post.Content, m.Content, p.want)
		}
		if p.post.DM != (m.GuildID == "") || m.Author.ID != u.ID {
			t.Errorf("message %+v has the wrong guild or author", m)
		}
	}
}

func TestResumeReplaysMissedEvents(t *testing.T) {
	t.Parallel()
	fake, _, ev := registered(t)
	if err := fake.DropConnection(); err != nil {
		t.Fatal(err)
	}
	in, err := fake.Invoke(discordtest.Ask(fake.NewUser("ann"), "q"))
	if err != nil {
		t.Fatal(err)
	}
	if got := receive(t, ev.interactions); got.ID != in.ID {
		t.Errorf("got interaction %s, want %s", got.ID, in.ID)
	}
	st := fake.GatewayStats()
	if st.Resumes != 1 || st.Identifies != 1 || st.Replayed < 1 {
		t.Errorf("stats %+v, want one RESUME replaying the missed event", st)
	}
}

func TestReconnectAndInvalidSession(t *testing.T) {
	t.Parallel()
	fake, _, ev := registered(t)
	if err := fake.RequestReconnect(); err != nil {
		t.Fatal(err)
	}
	if err := fake.WaitGateway(discordtest.WaitContext(t), func(st discordtest.GatewayStats) bool { return st.Resumed >= 1 && st.Connected }); err != nil {
		t.Fatal(err)
	}
	// (At least: discordgo may close and resume once more; see Disrupt.)
	if err := fake.Disrupt(discordtest.WaitContext(t), (*discordtest.Server).InvalidateSession); err != nil {
		t.Fatal(err)
	}
	if err := fake.WaitGateway(discordtest.WaitContext(t), func(st discordtest.GatewayStats) bool { return st.Identifies >= 2 && st.Ready >= 2 && st.Connected }); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.Invoke(discordtest.Ask(fake.NewUser("ann"), "q")); err != nil {
		t.Fatal(err)
	}
	receive(t, ev.interactions)
}

func TestScriptedRateLimit(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	fake.RateLimit("POST /channels/{channel}/messages", 1, 50*time.Millisecond)
	s, _ := connect(t, fake, guildIntents, true)
	if _, err := s.ChannelMessageSend(fake.ChannelID, "hi"); err != nil {
		t.Fatalf("discordgo did not retry after the 429: %v", err)
	}
	var got []discordtest.Request
	for _, r := range fake.Requests() {
		if r.Route == "/channels/{channel}/messages" {
			got = append(got, r)
		}
	}
	if len(got) != 2 || got[0].Status != 429 || got[1].Status != 200 {
		t.Fatalf("requests %+v, want a 429 then a 200", got)
	}
	if !strings.Contains(string(got[0].Response), `"retry_after":0.05`) {
		t.Errorf("429 body %s lacks retry_after", got[0].Response)
	}
}

func TestScriptedFailuresAndGlobalRateLimit(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	const route = "POST /channels/{channel}/messages"
	fake.RateLimitGlobal(route, 1, 50*time.Millisecond)
	fake.Fail(route, 1, http.StatusServiceUnavailable)
	s, _ := connect(t, fake, guildIntents, true)
	send := func() error {
		_, err := s.ChannelMessageSend(fake.ChannelID, "hi", discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(0))
		return err
	}
	var rl *discordgo.RateLimitError
	if err := send(); !errors.As(err, &rl) || rl.RetryAfter != 50*time.Millisecond {
		t.Fatalf("first send: %v, want a rate limit with retry_after 50ms", err)
	}
	if err := send(); err == nil {
		t.Fatal("second send succeeded, want 503")
	} else if status, _ := restCode(err); status != http.StatusServiceUnavailable {
		t.Fatalf("second send: %v, want 503", err)
	}
	if err := send(); err != nil {
		t.Fatalf("third send: %v, want success once the script ran out", err)
	}
	var got []discordtest.Request
	for _, r := range fake.Requests() {
		if r.Route == "/channels/{channel}/messages" {
			got = append(got, r)
		}
	}
	if len(got) != 3 || got[0].Status != 429 || got[1].Status != 503 || got[2].Status != 200 {
		t.Fatalf("statuses %v %v %v, want 429 503 200", got[0].Status, got[1].Status, got[2].Status)
	}
	if !strings.Contains(string(got[0].Response), `"global":true`) {
		t.Errorf("global 429 body %s", got[0].Response)
	}
	if n := len(fake.ChannelMessages(fake.ChannelID)); n != 1 {
		t.Errorf("%d messages stored, want 1: refused requests must not be carried out", n)
	}
}

func TestOutcome(t *testing.T) {
	t.Parallel()
	fake, s, in, i := asked(t)
	if o := fake.Outcome(in); o.Acked || o.Final {
		t.Fatalf("before the acknowledgement: %+v", o)
	}
	if err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
		t.Fatal(err)
	}
	if o := fake.Outcome(in); !o.Acked || o.AckType != 5 || o.Final || o.AckAfter <= 0 {
		t.Fatalf("after deferring: %+v, want acknowledged, not final", o)
	}
	content := "the answer"
	if _, err := s.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &content}); err != nil {
		t.Fatal(err)
	}
	if o := fake.Outcome(in); !o.Final || o.Message.Content != "the answer" {
		t.Fatalf("after the edit: %+v, want the final answer", o)
	}
}
