package discordtest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"citebot/bot/discordtest"
)

// These tests drive the fake's gateway with a bare WebSocket client, so
// that what they check is the fake, not a Discord library's behaviour.

// frame is a gateway payload as received.
type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int            `json:"s"`
	T  *string         `json:"t"`
}

type rawClient struct {
	t  *testing.T
	ws *websocket.Conn
}

// dialRaw connects to a gateway URL of the fake.
func dialRaw(t *testing.T, url string) *rawClient {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url+"?v=9&encoding=json", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return &rawClient{t: t, ws: ws}
}

func (c *rawClient) send(op int, d any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(map[string]any{"op": op, "d": d}); err != nil {
		c.t.Fatal(err)
	}
}

// recv reads the next payload; a bound keeps a broken fake from hanging
// the test.
func (c *rawClient) recv() frame {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(discordtest.WaitTimeout))
	var f frame
	if err := c.ws.ReadJSON(&f); err != nil {
		c.t.Fatalf("reading from the gateway: %v", err)
	}
	return f
}

// recvEvent reads until a dispatch of the given type.
func (c *rawClient) recvEvent(typ string) frame {
	c.t.Helper()
	for {
		if f := c.recv(); f.Op == 0 && f.T != nil && *f.T == typ {
			return f
		}
	}
}

func (c *rawClient) identify(token string) {
	c.send(2, map[string]any{"token": token, "intents": int(guildIntents), "properties": map[string]string{"os": "linux"}})
}

func (c *rawClient) resume(token, session string, seq int) {
	c.send(6, map[string]any{"token": token, "session_id": session, "seq": seq})
}

// session identifies on a new connection and returns READY's session id,
// resume_gateway_url and the last sequence number.
func session(t *testing.T, fake *discordtest.Server) (c *rawClient, id, resumeURL string, seq int) {
	t.Helper()
	c = dialRaw(t, fake.GatewayURL())
	if f := c.recv(); f.Op != 10 {
		t.Fatalf("first payload op %d, want HELLO", f.Op)
	}
	c.identify(fake.Token())
	f := c.recvEvent("READY")
	var ready struct {
		SessionID        string `json:"session_id"`
		ResumeGatewayURL string `json:"resume_gateway_url"`
	}
	if err := json.Unmarshal(f.D, &ready); err != nil {
		t.Fatal(err)
	}
	g := c.recvEvent("GUILD_CREATE")
	return c, ready.SessionID, ready.ResumeGatewayURL, *g.S
}

func TestInterruptionsAtEveryStage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in discordtest.Interruption
		// resumable reports whether the first session survives (an
		// interrupted IDENTIFY starts no session and ends none).
		resumable bool
	}{
		{discordtest.Interruption{At: discordtest.BeforeHello, Op: 7}, true},
		{discordtest.Interruption{At: discordtest.BeforeReady, Op: 7}, true},
		{discordtest.Interruption{At: discordtest.BeforeReady, Op: 9}, true},
		{discordtest.Interruption{At: discordtest.DuringResume, Op: 7}, true},
		{discordtest.Interruption{At: discordtest.DuringResume, Op: 9, Resumable: true}, true},
		{discordtest.Interruption{At: discordtest.DuringResume, Op: 9}, false},
	}
	for _, tc := range cases {
		t.Run(tc.in.String(), func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t, discordtest.Options{})
			_, sid, resumeURL, seq := session(t, fake)
			fake.Interrupt(tc.in)
			c := dialRaw(t, resumeURL)
			if tc.in.At != discordtest.BeforeHello {
				if f := c.recv(); f.Op != 10 {
					t.Fatalf("got op %d, want HELLO", f.Op)
				}
				if tc.in.At == discordtest.BeforeReady {
					c.identify(fake.Token())
				} else {
					c.resume(fake.Token(), sid, seq)
				}
			}
			f := c.recv()
			if f.Op != tc.in.Op {
				t.Fatalf("got op %d, want %d", f.Op, tc.in.Op)
			}
			if tc.in.Op == 9 && string(f.D) != map[bool]string{true: "true", false: "false"}[tc.in.Resumable] {
				t.Errorf("INVALID_SESSION d = %s, want %v", f.D, tc.in.Resumable)
			}
			// Staying on the connection is a violation.
			c.resume(fake.Token(), sid, seq)
			v, err := fake.WaitViolations(discordtest.WaitContext(t), 1)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(v[0], "RESUME on a connection the fake had told to reconnect") {
				t.Errorf("violations %q", v)
			}
			// A new connection resumes, or has to identify.
			n := dialRaw(t, resumeURL)
			n.recv()
			n.resume(fake.Token(), sid, seq)
			got := n.recv()
			if tc.resumable && (got.Op != 0 || *got.T != "RESUMED") {
				t.Errorf("resuming after %s: op %d %s, want RESUMED", tc.in, got.Op, got.D)
			}
			if !tc.resumable && got.Op != 9 {
				t.Errorf("resuming after %s: op %d, want INVALID_SESSION", tc.in, got.Op)
			}
			if st := fake.GatewayStats(); tc.in.At == discordtest.BeforeReady && (st.Identifies != 2 || st.Ready != 1) {
				t.Errorf("stats %+v, want the interrupted IDENTIFY counted and no READY for it", st)
			}
			if fake.PendingInterruptions() != 0 {
				t.Error("the interruption is still queued")
			}
		})
	}
}

func TestClientCloseCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code      int
		resumable bool
	}{{1000, false}, {1001, false}, {4000, true}, {1012, true}} {
		fake := discordtest.New(t, discordtest.Options{})
		c, sid, resumeURL, seq := session(t, fake)
		_ = c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(tc.code, ""))
		if err := fake.WaitGateway(discordtest.WaitContext(t), func(st discordtest.GatewayStats) bool { return len(st.ClientCloseCodes) == 1 }); err != nil {
			t.Fatal(err)
		}
		if got := fake.GatewayStats().ClientCloseCodes; got[0] != tc.code {
			t.Errorf("recorded close codes %v, want [%d]", got, tc.code)
		}
		n := dialRaw(t, resumeURL)
		n.recv()
		n.resume(fake.Token(), sid, seq)
		if f := n.recv(); (f.Op == 0) != tc.resumable {
			t.Errorf("resume after a close with %d: op %d, want resumable %v", tc.code, f.Op, tc.resumable)
		}
	}
}

func TestResumeGatewayURLIsDistinct(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	_, sid, resumeURL, seq := session(t, fake)
	if resumeURL == "" || resumeURL == fake.GatewayURL() || resumeURL != fake.ResumeGatewayURL() {
		t.Fatalf("resume_gateway_url %q, want %q, distinct from %q", resumeURL, fake.ResumeGatewayURL(), fake.GatewayURL())
	}
	if err := fake.DropConnection(); err != nil {
		t.Fatal(err)
	}
	n := dialRaw(t, resumeURL)
	n.recv()
	n.resume(fake.Token(), sid, seq)
	n.recvEvent("RESUMED")
	if st := fake.GatewayStats(); st.ResumeURLConnections != 1 || st.ResumesViaResumeURL != 1 || st.Resumes != 1 {
		t.Errorf("stats %+v, want one resume through the resume URL", st)
	}
}

func TestStopHeartbeatAcks(t *testing.T) {
	t.Parallel()
	fake, _, ev := registered(t)
	if err := fake.WaitGateway(discordtest.WaitContext(t), func(st discordtest.GatewayStats) bool { return st.Heartbeats >= 1 }); err != nil {
		t.Fatal(err)
	}
	c, sid, resumeURL, seq := session(t, fake) // a second, bare session to silence
	c.send(1, seq)
	if f := c.recv(); f.Op != 11 {
		t.Fatalf("heartbeat answered with op %d, want ACK", f.Op)
	}
	if err := fake.StopHeartbeatAcks(); err != nil {
		t.Fatal(err)
	}
	c.send(1, seq)
	if err := fake.WaitGateway(discordtest.WaitContext(t), func(st discordtest.GatewayStats) bool { return st.UnackedHeartbeats == 1 }); err != nil {
		t.Fatal(err)
	}
	if fake.GatewayStats().Connected {
		t.Error("a silenced connection counts as connected")
	}
	// Events go nowhere until the client resumes elsewhere; then they are
	// replayed.
	in, err := fake.Invoke(discordtest.Ask(fake.NewUser("ann"), "q"))
	if err != nil {
		t.Fatal(err)
	}
	if o := fake.Outcome(in); o.Delivered {
		t.Error("an interaction was delivered to a silent connection")
	}
	n := dialRaw(t, resumeURL)
	n.recv()
	n.resume(fake.Token(), sid, seq)
	n.recvEvent("INTERACTION_CREATE")
	n.recvEvent("RESUMED")
	if o := fake.Outcome(in); !o.Delivered || o.DeliveredAfter <= 0 {
		t.Errorf("outcome %+v, want delivered by the replay", o)
	}
	select {
	case i := <-ev.interactions:
		t.Errorf("the first session got interaction %s of the second", i.ID)
	default:
	}
}

func TestSessionStartLimitAndTokenReset(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{SessionStartLimit: discordtest.SessionStartLimit{Total: 1000, Remaining: 1, ResetAfter: time.Hour}})
	s, err := discordgo.New("Bot " + fake.Token())
	if err != nil {
		t.Fatal(err)
	}
	s.Client = fake.Client()
	gb, err := s.GatewayBot()
	if err != nil {
		t.Fatal(err)
	}
	if l := gb.SessionStartLimit; l.Total != 1000 || l.Remaining != 1 || l.ResetAfter <= 0 || l.MaxConcurrency != 1 {
		t.Errorf("session_start_limit %+v, want 1 of 1000 left", l)
	}
	session(t, fake)
	if gb, _ := s.GatewayBot(); gb == nil || gb.SessionStartLimit.Remaining != 0 {
		t.Errorf("after an IDENTIFY: %+v, want none left", gb)
	}
	c := dialRaw(t, fake.GatewayURL())
	c.recv()
	c.identify(fake.Token())
	_ = c.ws.SetReadDeadline(time.Now().Add(discordtest.WaitTimeout))
	_, _, err = c.ws.ReadMessage()
	var ce *websocket.CloseError
	if !errorsAs(err, &ce) || ce.Code != 4004 {
		t.Errorf("IDENTIFY with none left: %v, want close 4004 (token reset)", err)
	}
	if st := fake.GatewayStats(); !st.TokenReset || st.Identifies != 1 {
		t.Errorf("stats %+v, want the token reset after one IDENTIFY", st)
	}
	if _, err := s.GatewayBot(); err == nil {
		t.Error("the reset token still works")
	}
	if v := fake.Violations(); len(v) != 1 || !strings.Contains(v[0], "no session starts left") {
		t.Errorf("violations %q", v)
	}
	if n := fake.InvalidRequests(); n != 1 {
		t.Errorf("InvalidRequests = %d, want 1 (the 401)", n)
	}
}

func TestIdentifyInterval(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{IdentifyInterval: time.Hour})
	session(t, fake)
	c := dialRaw(t, fake.GatewayURL())
	c.recv()
	c.identify(fake.Token())
	if f := c.recv(); f.Op != 9 || string(f.D) != "false" {
		t.Errorf("a second IDENTIFY within the interval got op %d %s, want INVALID_SESSION false", f.Op, f.D)
	}
	if v := fake.Violations(); len(v) != 1 || !strings.Contains(v[0], "within the 1h0m0s") {
		t.Errorf("violations %q", v)
	}
}

func TestReplyPing(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	s, ev := connect(t, fake, guildIntents, true)
	answer, err := s.ChannelMessageSend(fake.ChannelID, "an answer")
	if err != nil {
		t.Fatal(err)
	}
	receive(t, ev.messages) // the echo of the bot's own message
	u := fake.NewUser("ann")
	for _, ping := range []bool{true, false} {
		if _, err := fake.Post(discordtest.Post{Author: u, Content: "thanks, that helped!", ReplyTo: answer.ID, Ping: ping}); err != nil {
			t.Fatal(err)
		}
		m := receive(t, ev.messages)
		if m.Type != discordgo.MessageTypeReply || m.MessageReference == nil || m.MessageReference.MessageID != answer.ID {
			t.Errorf("ping %v: type %d reference %+v, want a reply to %s", ping, m.Type, m.MessageReference, answer.ID)
		}
		if m.ReferencedMessage == nil || m.ReferencedMessage.Author == nil || m.ReferencedMessage.Author.ID != fake.BotUser.ID {
			t.Errorf("ping %v: referenced_message %+v, want the bot's message", ping, m.ReferencedMessage)
		}
		mentioned := slices.ContainsFunc(m.Mentions, func(x *discordgo.User) bool { return x.ID == fake.BotUser.ID })
		if mentioned != ping {
			t.Errorf("ping %v: the bot is in mentions: %v", ping, mentioned)
		}
		// Without MESSAGE_CONTENT the content comes only with the ping.
		if want := map[bool]string{true: "thanks, that helped!", false: ""}[ping]; m.Content != want {
			t.Errorf("ping %v: content %q, want %q", ping, m.Content, want)
		}
	}
}

func TestDeletedResponse(t *testing.T) {
	t.Parallel()
	fake, s, in, i := asked(t)
	if err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
		t.Fatal(err)
	}
	if err := fake.DeleteResponse(in); err != nil {
		t.Fatal(err)
	}
	content := "edit"
	for n := range 2 {
		_, err := s.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &content})
		if status, code := restCode(err); status != http.StatusNotFound || code != discordtest.CodeUnknownMessage {
			t.Errorf("edit %d of a deleted response: %v, want 404 code 10008", n+1, err)
		}
	}
	if v := fake.Violations(); len(v) != 1 || !strings.Contains(v[0], "after Discord answered 404") {
		t.Errorf("violations %q, want the second edit", v)
	}
}

func TestGuildCommandsWithGlobalOnlyFields(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	s, _ := connect(t, fake, guildIntents, true)
	dm := true
	ctxs := []discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	cmd := &discordgo.ApplicationCommand{Name: "ask", Description: "Ask", DMPermission: &dm, Contexts: &ctxs}
	if _, err := s.ApplicationCommandBulkOverwrite(fake.AppID, "", []*discordgo.ApplicationCommand{cmd}); err != nil {
		t.Fatal(err)
	}
	if v := fake.Violations(); len(v) != 0 {
		t.Errorf("global registration: violations %q", v)
	}
	if _, err := s.ApplicationCommandBulkOverwrite(fake.AppID, fake.GuildID, []*discordgo.ApplicationCommand{cmd}); err != nil {
		t.Fatal(err)
	}
	if v := fake.Violations(); len(v) != 2 || !strings.Contains(v[0], "dm_permission") || !strings.Contains(v[1], "contexts") {
		t.Errorf("guild registration: violations %q, want dm_permission and contexts", v)
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
