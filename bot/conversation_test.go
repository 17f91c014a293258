package bot_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"citebot/bot"
	"citebot/bot/discordtest"
	"citebot/bot/feedback"
	"citebot/corpus"
	"citebot/rag"
)

// recorder is an answerer that records the queries it gets and answers
// each with one cited sentence; a question that continues a conversation
// gets a Resolved form naming the first question, and chitchat is
// answered as rag answerers do (Chitchat, no text).
type recorder struct {
	mu      sync.Mutex
	queries []rag.Query
}

func (r *recorder) Answer(_ context.Context, q rag.Query) (rag.Answer, error) {
	r.mu.Lock()
	q.OnDelta = nil
	r.queries = append(r.queries, q)
	r.mu.Unlock()
	if rag.Chitchat(q.Question) {
		return rag.Answer{Question: q.Question, Chitchat: true, Mode: rag.ModeExtractive}, nil
	}
	a := rag.Answer{Question: q.Question, Text: "An answer to " + q.Question + " [1].", Mode: rag.ModeExtractive,
		Citations: []rag.Citation{{Ref: 1, ArticleID: "004_bf2e7a1252b3b5c1", Title: "US and China Leaders Plan to Hold Phone Call", Published: "2024-10-01", Quote: "The last call took place in April."}}}
	if len(q.History) > 0 {
		a.Resolved = q.Question + " (following " + q.History[0].Question + ")"
	}
	return a, nil
}

// history returns the questions of the History of the n-th query (from 0).
func (r *recorder) history(t *testing.T, n int) []string {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if n >= len(r.queries) {
		t.Fatalf("got %d queries, want at least %d", len(r.queries), n+1)
	}
	var qs []string
	for _, turn := range r.queries[n].History {
		qs = append(qs, turn.Question)
	}
	return qs
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.queries)
}

// responseID is the id of the message a request created or edited.
func responseID(t *testing.T, r discordtest.Request) string {
	t.Helper()
	var m struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(r.Response, &m); err != nil || m.ID == "" {
		t.Fatalf("no message id in the response to %s %s: %s", r.Method, r.Path, r.Response)
	}
	return m.ID
}

// post sends a user's message and waits until the bot has answered it
// (its log says so, which it does once it remembers the answer),
// returning the id of the reply and its text.
func post(t *testing.T, run *running, p discordtest.Post) (string, string) {
	t.Helper()
	m, err := run.fake.Post(p)
	if err != nil {
		t.Fatal(err)
	}
	r, err := run.fake.WaitReply(waitCtx(t), m.ID)
	if err != nil {
		t.Fatalf("no reply to %q: %v", p.Content, err)
	}
	if !run.logs.WaitFor(waitCtx(t), " message="+m.ID+" ") {
		t.Fatalf("the bot did not log its answer to %s", m.ID)
	}
	return responseID(t, r), bodyText(r)
}

func mention(fake *discordtest.Server, text string) string {
	return "<@" + fake.BotUser.ID + "> " + text
}

// openFeedback opens a feedback log in a temporary directory.
func openFeedback(t *testing.T) (*feedback.Log, string) {
	t.Helper()
	dir := t.TempDir()
	l, err := feedback.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return l, dir
}

func TestReplyChainOfThreeTurns(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	rec := &recorder{}
	fb, _ := openFeedback(t)
	run := startBot(t, fake, bot.Options{Answerer: rec, Feedback: fb})
	u := fake.NewUser("ana")

	first := "when did Biden and Xi last speak?"
	id1, text1 := post(t, run, discordtest.Post{Author: u, Content: mention(fake, first)})
	if strings.Contains(text1, "Answered as") {
		t.Errorf("a first question shows a resolved form:\n%s", text1)
	}
	id2, text2 := post(t, run, discordtest.Post{Author: u, Content: "and where did they last meet?", ReplyTo: id1, Ping: true})
	if want := "-# Answered as: and where did they last meet? \\(following when did Biden and Xi last speak?\\)"; !strings.Contains(text2, want) {
		t.Errorf("the follow-up's answer does not show %q:\n%s", want, text2)
	}
	post(t, run, discordtest.Post{Author: u, Content: "how long ago was that?", ReplyTo: id2, Ping: true})

	want := [][]string{nil, {first}, {first, "and where did they last meet?"}}
	for i, w := range want {
		if got := rec.history(t, i); !slices.Equal(got, w) {
			t.Errorf("query %d: got history %q, want %q", i+1, got, w)
		}
	}
	// The earlier turns carry their answers.
	rec.mu.Lock()
	h := rec.queries[2].History
	rec.mu.Unlock()
	if len(h) == 2 && (h[0].Answer.Text != "An answer to "+first+" [1]." || h[1].Answer.Resolved == "" || len(h[0].Answer.Citations) != 1) {
		t.Errorf("got history answers %+v, want the answers given", h)
	}
	// Nothing of the conversation is logged, at any level.
	for _, text := range []string{"where did they last meet", "how long ago", "An answer to"} {
		if strings.Contains(run.logs.String(), text) {
			t.Errorf("the log holds %q", text)
		}
	}
	// Every answer carries the feedback buttons, named by an answer id,
	// never the question.
	for _, id := range []string{id1, id2} {
		m, _ := fake.Message(id)
		b := m.Buttons()
		if len(b) != 2 || !strings.HasPrefix(b[0], "fb:") || !strings.HasSuffix(b[0], ":up") || !strings.HasSuffix(b[1], ":down") || strings.Contains(b[0], "Biden") {
			t.Errorf("message %s: got buttons %q, want fb:<answer id>:up and :down", id, b)
		}
	}
}

func TestReplyWithoutPing(t *testing.T) {
	t.Parallel()
	t.Run("with the message content intent", func(t *testing.T) {
		t.Parallel()
		fake := discordtest.New(t, discordtest.Options{EnabledIntents: discordtest.IntentMessageContent})
		rec := &recorder{}
		run := startBot(t, fake, bot.Options{Answerer: rec, MessageContent: true})
		u := fake.NewUser("ben")
		id1, _ := post(t, run, discordtest.Post{Author: u, Content: mention(fake, "when did Biden and Xi last speak?")})
		post(t, run, discordtest.Post{Author: u, Content: "and before that?", ReplyTo: id1})
		if got := rec.history(t, 1); !slices.Equal(got, []string{"when did Biden and Xi last speak?"}) {
			t.Errorf("got history %q, want the first question", got)
		}
		// Other messages of the channel are still not answered.
		m, err := fake.Post(discordtest.Post{Author: u, Content: "what is for lunch?"})
		if err != nil {
			t.Fatal(err)
		}
		sentinel, _ := post(t, run, discordtest.Post{Author: u, Content: mention(fake, "who met in Woodside?")})
		_ = sentinel
		for _, r := range fake.Requests() {
			if r.RepliesTo(m.ID) {
				t.Errorf("the bot answered a message that neither mentions nor replies to it")
			}
		}
	})
	t.Run("in a direct message", func(t *testing.T) {
		t.Parallel()
		fake := discordtest.New(t, discordtest.Options{})
		rec := &recorder{}
		run := startBot(t, fake, bot.Options{Answerer: rec})
		u := fake.NewUser("cai")
		id1, _ := post(t, run, discordtest.Post{Author: u, DM: true, Content: "when did Biden and Xi last speak?"})
		post(t, run, discordtest.Post{Author: u, DM: true, Content: "and where?", ReplyTo: id1})
		if got := rec.history(t, 1); len(got) != 1 {
			t.Errorf("got history %q, want one turn", got)
		}
	})
}

func TestThreadConversation(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	rec := &recorder{}
	fb, _ := openFeedback(t)
	run := startBot(t, fake, bot.Options{Answerer: rec, Feedback: fb, UserRate: 60})
	u := fake.NewUser("dee")
	// newThread creates a thread and waits until the bot has seen it.
	newThread := func(th discordtest.Thread) string {
		t.Helper()
		id, err := fake.CreateThread(th)
		if err != nil {
			t.Fatal(err)
		}
		if !run.logs.WaitFor(waitCtx(t), "thread="+id) {
			t.Fatalf("the bot did not see thread %s", id)
		}
		return id
	}

	t.Run("started from an answer", func(t *testing.T) {
		id1, _ := post(t, run, discordtest.Post{Author: u, Content: mention(fake, "when did Biden and Xi last speak?")})
		th := newThread(discordtest.Thread{Owner: u, FromMessage: id1, Name: "Biden and Xi"})
		n := rec.count()
		post(t, run, discordtest.Post{Author: u, ChannelID: th, Content: mention(fake, "what did they discuss")})
		post(t, run, discordtest.Post{Author: u, ChannelID: th, Content: mention(fake, "and the time before")})
		if got := rec.history(t, n); !slices.Equal(got, []string{"when did Biden and Xi last speak?"}) {
			t.Errorf("first mention in the thread: got history %q", got)
		}
		if got := rec.history(t, n+1); !slices.Equal(got, []string{"when did Biden and Xi last speak?", "what did they discuss"}) {
			t.Errorf("second mention in the thread: got history %q", got)
		}
		// /ask in the thread continues it too.
		in := invoke(t, fake, discordtest.Invocation{Command: "ask", User: u, ChannelID: th, Options: []discordtest.Opt{{Name: "question", Value: "where was that"}}})
		waitEdit(t, fake, in, isFinal)
		if !run.logs.WaitFor(waitCtx(t), " interaction="+in.ID+" ") {
			t.Fatal("the bot did not log its answer to /ask")
		}
		if got := rec.history(t, n+2); len(got) != 3 || got[2] != "and the time before" {
			t.Errorf("/ask in the thread: got history %q, want the thread's three turns", got)
		}
		if o := fake.Outcome(in); !strings.Contains(o.Message.Text(), "Answered as") {
			t.Errorf("/ask in the thread does not show the resolved question:\n%s", o.Message.Text())
		}
		// "/ask thanks!" there asks nothing: a notice only the user sees,
		// and the answerer is not asked.
		before := rec.count()
		thanks := invoke(t, fake, discordtest.Invocation{Command: "ask", User: u, ChannelID: th, Options: []discordtest.Opt{{Name: "question", Value: "thanks!"}}})
		callback := func(r discordtest.Request) bool { return r.Interaction == thanks.ID && r.Status == 204 }
		if _, err := fake.WaitRequest(waitCtx(t), callback); err != nil {
			t.Fatal(err)
		}
		if o := fake.Outcome(thanks); o.AckType != 4 || o.Message.Flags&64 == 0 || !strings.Contains(o.Message.Content, "Glad to help") {
			t.Errorf("/ask thanks! in a conversation: got %+v, want an ephemeral notice", o)
		}
		if rec.count() != before {
			t.Errorf("/ask thanks! was passed to the answerer")
		}
	})
	t.Run("started empty", func(t *testing.T) {
		th := newThread(discordtest.Thread{Owner: u, Name: "questions"})
		n := rec.count()
		post(t, run, discordtest.Post{Author: u, ChannelID: th, Content: mention(fake, "who met in Woodside?")})
		post(t, run, discordtest.Post{Author: u, ChannelID: th, Content: mention(fake, "and when")})
		if got := rec.history(t, n); got != nil {
			t.Errorf("the thread's first question: got history %q, want none", got)
		}
		if got := rec.history(t, n+1); !slices.Equal(got, []string{"who met in Woodside?"}) {
			t.Errorf("the thread's second question: got history %q", got)
		}
	})
	t.Run("a mention in the channel starts afresh", func(t *testing.T) {
		n := rec.count()
		post(t, run, discordtest.Post{Author: u, Content: mention(fake, "what about tariffs?")})
		if got := rec.history(t, n); got != nil {
			t.Errorf("got history %q, want none", got)
		}
	})
}

func TestChitchatReplyIsIgnoredWithoutQuota(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	rec := &recorder{}
	// One question a minute: a reply that used the quota would leave the
	// sentinel question below refused.
	run := startBot(t, fake, bot.Options{Answerer: rec, UserRate: 2})
	u := fake.NewUser("eve")
	id1, _ := post(t, run, discordtest.Post{Author: u, Content: mention(fake, "when did Biden and Xi last speak?")})
	th, err := fake.CreateThread(discordtest.Thread{Owner: u, FromMessage: id1})
	if err != nil {
		t.Fatal(err)
	}
	var ignored []string
	for _, p := range []discordtest.Post{
		{Author: u, Content: "thanks!", ReplyTo: id1, Ping: true},
		{Author: u, Content: "ok", ReplyTo: id1, Ping: true},
		{Author: u, Content: "👍", ReplyTo: id1, Ping: true},
		{Author: u, Content: "great, that's clear, thank you", ReplyTo: id1, Ping: true},
		{Author: u, ChannelID: th, Content: mention(fake, "thanks, that helped!")},
	} {
		m, err := fake.Post(p)
		if err != nil {
			t.Fatal(err)
		}
		ignored = append(ignored, m.ID)
	}
	// The sentinel is answered (the quota of 2 was not used up by the
	// replies), and after it nothing replied to the ignored ones.
	_, text := post(t, run, discordtest.Post{Author: u, Content: "and where did they meet?", ReplyTo: id1, Ping: true})
	if !strings.Contains(text, "An answer to") {
		t.Errorf("the follow-up after the chitchat got %q, want an answer", text)
	}
	for _, r := range fake.Requests() {
		for _, id := range ignored {
			if r.RepliesTo(id) {
				t.Errorf("the bot replied to chitchat %s: %s", id, bodyText(r))
			}
		}
	}
	if got := rec.count(); got != 2 {
		t.Errorf("the answerer was asked %d times, want 2 (chitchat is not asked)", got)
	}
}

// extractive is the real offline answerer over the shipped corpus, built
// once.
var extractive = sync.OnceValues(func() (*rag.Extractive, error) {
	arts, err := shippedArticles()
	if err != nil {
		return nil, err
	}
	ix := rag.NewIndex(rag.IndexOptions{Embedder: rag.NewLocalEmbedder(0)})
	if _, err := ix.Update(context.Background(), arts, nil); err != nil {
		return nil, err
	}
	return rag.NewExtractive(ix), nil
})

// startExtractiveBot starts the bot on a fake Discord with the real
// extractive answerer over the shipped articles, answering as of
// fixedAsOf.
func startExtractiveBot(t *testing.T) (*discordtest.Server, *running) {
	t.Helper()
	ex, err := extractive()
	if err != nil {
		t.Fatal(err)
	}
	fake := discordtest.New(t, discordtest.Options{})
	return fake, startBot(t, fake, bot.Options{Answerer: ex, AsOf: fixedAsOf})
}

func TestTopicSwitch(t *testing.T) {
	t.Parallel()
	fake, run := startExtractiveBot(t)
	u := fake.NewUser("fay")
	id1, _ := post(t, run, discordtest.Post{Author: u, Content: mention(fake, "when did Biden and Xi last speak?")})
	// A self-contained new question in reply is answered as if asked on
	// its own: the old subject is not dragged in.
	const fresh = "what did the White House prepare for in October 2021?"
	_, inReply := post(t, run, discordtest.Post{Author: u, Content: fresh, ReplyTo: id1, Ping: true})
	_, alone := post(t, run, discordtest.Post{Author: u, Content: mention(fake, fresh)})
	if inReply != alone {
		t.Errorf("a new topic in reply was answered differently from the same question alone:\nin reply:\n%s\nalone:\n%s", inReply, alone)
	}
	if strings.Contains(inReply, "Answered as") {
		t.Errorf("a self-contained question shows a resolved form:\n%s", inReply)
	}
}

// TestFollowUpsReadTheLastAnswer drives follow-ups that read the last
// answer's text (the bot keeps it without its quotes) through Discord:
// the circumstances of the event it told of, then "she" for the person it
// named whom the articles do not call "he".
func TestFollowUpsReadTheLastAnswer(t *testing.T) {
	t.Parallel()
	fake, run := startExtractiveBot(t)
	u := fake.NewUser("ida")
	id1, _ := post(t, run, discordtest.Post{Author: u, Content: mention(fake, "when was biden and xi's fifth phone call?")})
	id2, scene := post(t, run, discordtest.Post{Author: u, Content: "what else was happening then?", ReplyTo: id1, Ping: true})
	if !strings.Contains(scene, "amid a furor") {
		t.Errorf("the circumstances were not answered from the last answer:\n%s", scene)
	}
	_, after := post(t, run, discordtest.Post{Author: u, Content: "and after she went, what did china do?", ReplyTo: id2, Ping: true})
	if !strings.Contains(after, "military-to-military") || !strings.Contains(after, "Pelosi went") {
		t.Errorf("she was not read as the person the last answer named:\n%s", after)
	}
}

func TestFeedbackVoteChangedRecordedOnce(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	fb, dir := openFeedback(t)
	sink := &countingSink{next: fb, recorded: make(chan feedback.Vote, 10)}
	run := startBot(t, fake, bot.Options{Answerer: &recorder{}, Feedback: sink})
	u := fake.NewUser("gus")
	id1, _ := post(t, run, discordtest.Post{Author: u, Content: mention(fake, "when did Biden and Xi last speak?")})
	m, _ := fake.Message(id1)
	buttons := m.Buttons()
	if len(buttons) != 2 {
		t.Fatalf("got buttons %q, want 👍 and 👎", buttons)
	}
	click := func(customID string) discordtest.Outcome {
		in, err := fake.Click(discordtest.Click{User: u, MessageID: id1, CustomID: customID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fake.WaitRequest(waitCtx(t), func(r discordtest.Request) bool { return r.Interaction == in.ID && r.Status == 204 }); err != nil {
			t.Fatalf("click not acknowledged: %v", err)
		}
		return fake.Outcome(in)
	}
	for _, id := range []string{buttons[0], buttons[0], buttons[1]} { // 👍, 👍 again, then 👎
		o := click(id)
		if !o.Acked || o.AckType != 4 || o.Message.Content != "Thanks — noted." || o.Message.Flags&64 == 0 {
			t.Errorf("got acknowledgement %+v, want an ephemeral “Thanks — noted.”", o)
		}
	}
	// Votes are written after the acknowledgement; a stopped bot has
	// finished every click.
	if err := run.Stop(t); err != nil {
		t.Fatal(err)
	}
	if got := len(sink.recorded); got != 2 {
		t.Errorf("got %d votes recorded, want 2 (👍, then the change to 👎; the repeated 👍 is not one)", got)
	}
	recs := readRecords(t, dir)
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2", len(recs))
	}
	if recs[0].Vote != feedback.Up || recs[1].Vote != feedback.Down {
		t.Errorf("got votes %s, %s; want up, then down", recs[0].Vote, recs[1].Vote)
	}
	latest := feedback.Latest(recs)
	if len(latest) != 1 || latest[0].Vote != feedback.Down {
		t.Fatalf("got latest votes %+v, want one 👎", latest)
	}
	r := latest[0]
	if r.Question != "when did Biden and Xi last speak?" || !strings.HasPrefix(r.Answer, "An answer to") || !slices.Equal(r.Articles, []string{"004_bf2e7a1252b3b5c1"}) ||
		r.Mode != rag.ModeExtractive || r.AsOf == "" || r.Time.IsZero() || !strings.HasPrefix(buttons[0], "fb:"+r.AnswerID+":") {
		t.Errorf("got record %+v, want the question, answer, cited article, mode, day and answer id", r)
	}
	if r.User == "" || r.User == u.ID || strings.Contains(readFile(t, filepath.Join(dir, feedback.File)), u.ID) {
		t.Errorf("the feedback file holds the raw user id %s (user %q)", u.ID, r.User)
	}
	if r.User != fb.HashUser(u.ID) {
		t.Errorf("got user hash %q, want the salted hash %q", r.User, fb.HashUser(u.ID))
	}
	for _, name := range []string{feedback.File, feedback.SaltFile} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: got mode %o, want 600", name, fi.Mode().Perm())
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// countingSink passes votes to a feedback.Log and signals each one.
type countingSink struct {
	next     feedback.Sink
	recorded chan feedback.Vote
}

func (c *countingSink) Record(ctx context.Context, f feedback.Vote) error {
	err := c.next.Record(ctx, f)
	c.recorded <- f
	return err
}

func readRecords(t *testing.T, dir string) []feedback.Record {
	t.Helper()
	path := filepath.Join(dir, feedback.File)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, warns, err := feedback.Read(bufio.NewReader(f), path)
	if err != nil || len(warns) > 0 {
		t.Fatalf("reading feedback: %v %v", err, warns)
	}
	return recs
}

func shippedArticles() ([]corpus.Article, error) { return corpus.Shipped() }

// fixedAsOf is the "today" of questions in tests that use the real
// answerer.
func fixedAsOf() time.Time { return time.Date(2024, 10, 15, 0, 0, 0, 0, time.UTC) }

func TestFeedbackUnwritableNeverStopsAnswering(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	fb, dir := openFeedback(t)
	// feedback.jsonl cannot be opened for appending: it is a directory
	// (as a full disk or a read-only mount, every write fails).
	if err := os.Mkdir(filepath.Join(dir, feedback.File), 0o755); err != nil {
		t.Fatal(err)
	}
	run := startBot(t, fake, bot.Options{Answerer: &recorder{}, Feedback: fb})
	u := fake.NewUser("hal")
	id1, _ := post(t, run, discordtest.Post{Author: u, Content: mention(fake, "when did Biden and Xi last speak?")})
	m, _ := fake.Message(id1)
	in, err := fake.Click(discordtest.Click{User: u, MessageID: id1, CustomID: m.Buttons()[1]})
	if err != nil {
		t.Fatal(err)
	}
	if !run.logs.WaitFor(waitCtx(t), "could not record feedback") {
		t.Fatal("the failed write was not logged")
	}
	if o := fake.Outcome(in); !o.Acked || o.Message.Content != "Thanks — noted." {
		t.Errorf("got %+v, want the click acknowledged all the same", o)
	}
	if _, text := post(t, run, discordtest.Post{Author: u, Content: mention(fake, "who met in Woodside?")}); !strings.Contains(text, "An answer to") {
		t.Errorf("after a failed write the bot answered %q", text)
	}
}

func TestButtonFromAForgottenAnswer(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{})
	fb, _ := openFeedback(t)
	sink := &countingSink{next: fb, recorded: make(chan feedback.Vote, 10)}
	// One answer remembered: the second forgets the first.
	run := startBot(t, fake, bot.Options{Answerer: &recorder{}, Feedback: sink, Conversations: 1})
	u := fake.NewUser("ida")
	id1, _ := post(t, run, discordtest.Post{Author: u, Content: mention(fake, "when did Biden and Xi last speak?")})
	post(t, run, discordtest.Post{Author: u, Content: mention(fake, "who met in Woodside?")})
	m, _ := fake.Message(id1)
	if _, err := fake.Click(discordtest.Click{User: u, MessageID: id1, CustomID: m.Buttons()[1]}); err != nil {
		t.Fatal(err)
	}
	var f feedback.Vote
	select {
	case f = <-sink.recorded:
	case <-waitCtx(t).Done():
		t.Fatal("the vote was not recorded")
	}
	// The record comes from the message itself.
	if f.Mode != "unknown" || f.Question != "when did Biden and Xi last speak?" || !strings.Contains(f.Answer, "An answer to") || f.Vote != feedback.Down {
		t.Errorf("got %+v, want the question and answer as the message shows them, mode unknown", f)
	}
	// A reply to the forgotten answer starts afresh (and is answered).
	_, text := post(t, run, discordtest.Post{Author: u, Content: "and where did they meet?", ReplyTo: id1, Ping: true})
	if strings.Contains(text, "Answered as") {
		t.Errorf("a reply to a forgotten answer was resolved against it:\n%s", text)
	}
}
