package bot_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"citebot/bot"
	"citebot/bot/discordtest"
	"citebot/rag"
)

// TestReplyWithoutQuestionIsIgnored (issue 13, item 15): Discord counts a
// reply with its ping on as a mention, so "thanks, that helped!" was
// answered as a new question (a grey "the corpus doesn't say") and used
// the user's quota. A reply to the bot that holds no question gets no
// answer and costs nothing; one that asks is answered.
func TestReplyWithoutQuestionIsIgnored(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	var calls atomic.Int32
	answerer := answerFunc(func(_ context.Context, q rag.Query) (rag.Answer, error) {
		calls.Add(1)
		a := bidenXiAnswer()
		a.Question = q.Question
		return a, nil
	})
	r := startBot(t, fake, bot.Options{Answerer: answerer, UserRate: 2})
	ann := fake.NewUser("ann")
	q, err := fake.Post(discordtest.Post{Author: ann, Content: "<@" + fake.BotUser.ID + "> when did Biden and Xi last speak?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitReply(waitCtx(t), q.ID); err != nil {
		t.Fatal(err)
	}
	var answer discordtest.Message
	for _, m := range fake.ChannelMessages(fake.ChannelID) {
		if m.Author.ID == fake.BotUser.ID && m.ReferenceID == q.ID {
			answer = m
		}
	}
	var acks []discordtest.Message
	for _, text := range []string{"thanks, that helped!", "ok", "👍", "great answer, very clear"} {
		m, err := fake.Post(discordtest.Post{Author: ann, Content: text, ReplyTo: answer.ID, Ping: true})
		if err != nil {
			t.Fatal(err)
		}
		acks = append(acks, m)
	}
	// Each reply is either answered or logged as not answered.
	ctx := waitCtx(t)
	for _, m := range acks {
		for !strings.Contains(r.logs.String(), "message="+m.ID) && !replied(fake, m.ID) {
			select {
			case <-ctx.Done():
				t.Fatalf("reply %q neither answered nor logged:\n%s", m.Content, r.logs)
			case <-time.After(5 * time.Millisecond):
			}
		}
		if replied(fake, m.ID) {
			t.Errorf("the bot answered the reply %q", m.Content)
		}
	}
	// A reply that asks is answered, within the user's quota of 2.
	follow, err := fake.Post(discordtest.Post{Author: ann, Content: "and what did Xi say", ReplyTo: answer.ID, Ping: true})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := fake.WaitReply(waitCtx(t), follow.ID)
	if err != nil {
		t.Fatal(err)
	}
	if text := bodyText(reply); !strings.Contains(text, "004_bf2e7a1252b3b5c1") {
		t.Errorf("the question in a reply got %q, want an answer (the acknowledgements must not use the quota)", text)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("the answerer ran %d times, want 2", n)
	}
}

// replied reports whether the bot replied to the message with the given id.
func replied(fake *discordtest.Server, id string) bool {
	for _, r := range fake.Requests() {
		if r.RepliesTo(id) {
			return true
		}
	}
	return false
}
