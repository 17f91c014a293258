package discordtest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/bot/discordtest"
)

func TestThreads(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	s, ev := connect(t, fake, guildIntents, true)
	threads := make(chan *discordgo.ThreadCreate, 4)
	s.AddHandler(func(_ *discordgo.Session, tc *discordgo.ThreadCreate) { threads <- tc })
	owner := fake.NewUser("ann")

	t.Run("without a starter message", func(t *testing.T) {
		id, err := fake.CreateThread(discordtest.Thread{Owner: owner, Name: "talk"})
		if err != nil {
			t.Fatal(err)
		}
		tc := receive(t, threads)
		if tc.ID != id || !tc.IsThread() || tc.ParentID != fake.ChannelID || tc.GuildID != fake.GuildID || !tc.NewlyCreated || tc.Name != "talk" || tc.OwnerID != owner.ID || tc.ThreadMetadata == nil {
			t.Errorf("THREAD_CREATE decoded as %+v", tc)
		}
		// A message in the thread: the thread is its channel.
		if _, err := fake.Post(discordtest.Post{Author: owner, ChannelID: id, Content: "<@" + fake.BotUser.ID + "> hi"}); err != nil {
			t.Fatal(err)
		}
		m := receive(t, ev.messages)
		if m.ChannelID != id || m.GuildID != fake.GuildID || m.Content == "" {
			t.Errorf("message in the thread decoded as %+v", m)
		}
	})
	t.Run("from a message", func(t *testing.T) {
		sent, err := s.ChannelMessageSend(fake.ChannelID, "an answer")
		if err != nil {
			t.Fatal(err)
		}
		receive(t, ev.messages) // the echo of the bot's own message
		id, err := fake.CreateThread(discordtest.Thread{Owner: owner, FromMessage: sent.ID})
		if err != nil {
			t.Fatal(err)
		}
		if id != sent.ID {
			t.Errorf("got thread id %s, want the starter message's id %s, as on Discord", id, sent.ID)
		}
		receive(t, threads)
		if _, err := fake.CreateThread(discordtest.Thread{Owner: owner, FromMessage: sent.ID}); err == nil {
			t.Errorf("a second thread from the same message was created")
		}
		if _, err := fake.CreateThread(discordtest.Thread{Owner: owner, FromMessage: "123"}); err == nil {
			t.Errorf("a thread from an unknown message was created")
		}
		// /ask in the thread carries the thread as its channel.
		register(t, s, fake)
		in, err := fake.Invoke(discordtest.Invocation{Command: "ask", User: owner, ChannelID: id, Options: []discordtest.Opt{{Name: "question", Value: "q"}}})
		if err != nil {
			t.Fatal(err)
		}
		if ch, _ := in.Payload["channel"].(map[string]any); ch["type"] != 11 || ch["parent_id"] != fake.ChannelID {
			t.Errorf("got channel %v, want a public thread (type 11) of the text channel", ch)
		}
	})
}

// buttonMessage sends a bot message with two buttons and returns it.
func buttonMessage(t *testing.T, s *discordgo.Session, fake *discordtest.Server) *discordgo.Message {
	t.Helper()
	m, err := s.ChannelMessageSendComplex(fake.ChannelID, &discordgo.MessageSend{
		Content: "an answer",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Helpful", Style: discordgo.SecondaryButton, CustomID: "fb:1:up"},
			discordgo.Button{Emoji: &discordgo.ComponentEmoji{Name: "👎"}, Style: discordgo.SecondaryButton, CustomID: "fb:1:down"},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestButtonClicks(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	s, ev := connect(t, fake, guildIntents, true)
	user := fake.NewUser("ann")
	msg := buttonMessage(t, s, fake)
	click := func(customID string) *discordgo.Interaction {
		t.Helper()
		in, err := fake.Click(discordtest.Click{User: user, MessageID: msg.ID, CustomID: customID})
		if err != nil {
			t.Fatal(err)
		}
		i := receive(t, ev.interactions)
		if i.ID != in.ID {
			t.Fatalf("got interaction %s, want %s", i.ID, in.ID)
		}
		return i
	}

	i := click("fb:1:up")
	if i.Type != discordgo.InteractionMessageComponent || i.MessageComponentData().CustomID != "fb:1:up" || i.MessageComponentData().ComponentType != discordgo.ButtonComponent ||
		i.Message == nil || i.Message.ID != msg.ID || i.Member == nil || i.Member.User.ID != user.ID {
		t.Fatalf("click decoded as %+v", i)
	}
	t.Run("a new ephemeral message (type 4)", func(t *testing.T) {
		err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "Thanks — noted.", Flags: discordgo.MessageFlagsEphemeral}})
		if err != nil {
			t.Fatal(err)
		}
		o := fake.Outcome(discordtest.Interaction{ID: i.ID, Token: i.Token})
		if !o.Acked || o.AckType != 4 || o.Message.Content != "Thanks — noted." || o.Message.Flags&64 == 0 || o.Message.ID == msg.ID {
			t.Errorf("got %+v, want a new ephemeral message", o)
		}
		if m, _ := fake.Message(msg.ID); m.Content != "an answer" || m.Edits != 0 {
			t.Errorf("the clicked message changed: %+v", m)
		}
		err = s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
		if status, code := restCode(err); status != 400 || code != discordtest.CodeAlreadyAcknowledged {
			t.Errorf("second acknowledgement: %v, want 400 code 40060", err)
		}
	})
	t.Run("an update of the clicked message (type 7)", func(t *testing.T) {
		i := click("fb:1:down")
		err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseUpdateMessage,
			Data: &discordgo.InteractionResponseData{Content: "an answer (voted)", Components: msg.Components}})
		if err != nil {
			t.Fatal(err)
		}
		m, _ := fake.Message(msg.ID)
		if m.Content != "an answer (voted)" || m.Edits != 1 || len(m.Buttons()) != 2 {
			t.Errorf("got %+v, want the clicked message updated in place, buttons kept", m)
		}
	})
	t.Run("a deferred update then an edit (type 6)", func(t *testing.T) {
		i := click("fb:1:up")
		if err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}); err != nil {
			t.Fatal(err)
		}
		content := "edited later"
		if _, err := s.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &content}); err != nil {
			t.Fatal(err)
		}
		if m, _ := fake.Message(msg.ID); m.Content != "edited later" {
			t.Errorf("got %q, want the clicked message edited through @original", m.Content)
		}
	})
	t.Run("a response type a click cannot have", func(t *testing.T) {
		i := click("fb:1:up")
		err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
			Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{}}})
		if status, _ := restCode(err); status != 400 {
			t.Errorf("autocomplete choices for a click: %v, want 400", err)
		}
	})
	t.Run("unknown buttons", func(t *testing.T) {
		if _, err := fake.Click(discordtest.Click{User: user, MessageID: msg.ID, CustomID: "fb:2:up"}); err == nil {
			t.Errorf("a click on a button the message does not have was dispatched")
		}
		mine, err := fake.Post(discordtest.Post{Author: user, Content: "hello"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fake.Click(discordtest.Click{User: user, MessageID: mine.ID, CustomID: "fb:1:up"}); err == nil {
			t.Errorf("a click on a user's message was dispatched")
		}
	})
}

func TestLateClickIsUnknown(t *testing.T) {
	t.Parallel()
	// Every acknowledgement is late: the deadline is a nanosecond.
	fake := discordtest.New(t, discordtest.Options{AckDeadline: time.Nanosecond})
	s, ev := connect(t, fake, guildIntents, true)
	msg := buttonMessage(t, s, fake)
	if _, err := fake.Click(discordtest.Click{User: fake.NewUser("ann"), MessageID: msg.ID, CustomID: "fb:1:up"}); err != nil {
		t.Fatal(err)
	}
	i := receive(t, ev.interactions)
	err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
	if status, code := restCode(err); status != 404 || code != discordtest.CodeUnknownInteraction {
		t.Errorf("late acknowledgement: %v, want 404 code 10062", err)
	}
}

func TestButtonValidation(t *testing.T) {
	t.Parallel()
	button := func(label, id string, emoji bool) map[string]any {
		b := map[string]any{"type": 2.0, "style": 2.0, "label": label, "custom_id": id}
		if emoji {
			b["emoji"] = map[string]any{"name": "👍"}
		}
		return b
	}
	msg := func(bs ...map[string]any) map[string]any {
		var cs []any
		for _, b := range bs {
			cs = append(cs, b)
		}
		return map[string]any{"content": "x", "components": []any{map[string]any{"type": 1.0, "components": cs}}}
	}
	tests := []struct {
		name string
		m    map[string]any
		want string
	}{
		{"fine", msg(button("Helpful", "fb:1:up", false), button("", "fb:1:down", true)), ""},
		{"duplicate custom ids", msg(button("a", "fb:1:up", false), button("b", "fb:1:up", false)), "duplicated"},
		{"custom id too long", msg(button("a", strings.Repeat("x", 101), false)), "custom_id: must be 100"},
		{"neither label nor emoji", msg(button("", "fb:1:up", false)), "label or an emoji"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(discordtest.ValidateMessage(tt.m), "; ")
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEnabledPrivilegedIntent(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{EnabledIntents: discordtest.IntentMessageContent})
	s, ev := connect(t, fake, guildIntents|discordgo.IntentsMessageContent, true)
	sent, err := s.ChannelMessageSend(fake.ChannelID, "an answer")
	if err != nil {
		t.Fatal(err)
	}
	receive(t, ev.messages)
	// A reply without the ping: with the intent, its content arrives.
	if _, err := fake.Post(discordtest.Post{Author: fake.NewUser("ann"), Content: "and before that?", ReplyTo: sent.ID}); err != nil {
		t.Fatal(err)
	}
	if m := receive(t, ev.messages); m.Content != "and before that?" || m.ReferencedMessage == nil || m.ReferencedMessage.ID != sent.ID || len(m.Mentions) != 0 {
		t.Errorf("reply decoded as %+v, want its content, the referenced message and no mentions", m)
	}
}
