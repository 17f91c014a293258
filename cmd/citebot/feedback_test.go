package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citebot/bot/discordtest"
	"citebot/bot/feedback"
	"citebot/rag/eval"
)

// TestServeFeedbackExportedAndEvaluated votes on two answers of a running
// serve, reads the counts in /metrics and `citebot feedback`, exports the
// 👎 questions and runs `citebot eval` on them.
func TestServeFeedbackExportedAndEvaluated(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	data := t.TempDir()
	s := startServe(t, fake, map[string]string{"CITEBOT_DATA_DIR": data, "CITEBOT_HTTP_ADDR": "127.0.0.1:0", "CITEBOT_AS_OF": "2024-10-15"}, nil)
	base := "http://" + opsAddr(t, s.logs)
	alice, bob := fake.NewUser("alice"), fake.NewUser("bob")

	ask := func(p discordtest.Post) string {
		t.Helper()
		m := mustPost(t, fake, p)
		r := replyTo(t, fake, m)
		waitLog(t, s.logs, " message="+m.ID+" ")
		var sent struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(r.Response, &sent); err != nil {
			t.Fatal(err)
		}
		return sent.ID
	}
	a1 := ask(discordtest.Post{Author: alice, Content: "<@" + fake.BotUser.ID + "> " + bidenXi})
	a2 := ask(discordtest.Post{Author: alice, Content: "and where did they last meet in person?", ReplyTo: a1, Ping: true})

	vote := func(u discordtest.User, msg string, button int) {
		t.Helper()
		m, _ := fake.Message(msg)
		b := m.Buttons()
		if len(b) != 2 {
			t.Fatalf("message %s: got buttons %q, want 👍 and 👎", msg, b)
		}
		in, err := fake.Click(discordtest.Click{User: u, MessageID: msg, CustomID: b[button]})
		if err != nil {
			t.Fatal(err)
		}
		if o := callback(t, fake, in); o.Status != 204 {
			t.Fatalf("click answered %d", o.Status)
		}
		waitLog(t, s.logs, "interaction="+in.ID)
	}
	const up, down = 0, 1
	vote(alice, a1, up)
	vote(alice, a1, down) // changed: counts once, as 👎
	vote(bob, a2, down)
	vote(alice, a2, up)

	metrics := scrape(t, base)
	for series, want := range map[string]float64{
		`citebot_feedback_votes{mode="extractive",vote="up"}`:   1,
		`citebot_feedback_votes{mode="extractive",vote="down"}`: 2,
		`citebot_feedback_votes{mode="llm",vote="down"}`:        0,
		`citebot_feedback_write_errors_total`:                   0,
	} {
		if got := metricValue(t, metrics, series); got != want {
			t.Errorf("%s: got %v, want %v", series, got, want)
		}
	}
	if err := s.Stop(t); err != nil {
		t.Fatal(err)
	}

	out, errOut, code := runCLI(t, nil, "feedback", "--data", data)
	if code != 0 {
		t.Fatalf("feedback: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"3 votes on 2 answers (1 changed votes counted once", "extractive  1  2", "Most 👎 answers (2 with any)", "Q: " + bidenXi, "2024-10-15"} {
		if !strings.Contains(out, want) {
			t.Errorf("the summary lacks %q:\n%s", want, out)
		}
	}

	qa := filepath.Join(t.TempDir(), "bad.jsonl")
	out, errOut, code = runCLI(t, nil, "feedback", "--data", data, "--export-qa", qa)
	if code != 0 || !strings.Contains(out, "wrote 2 👎 questions") {
		t.Fatalf("export: exit %d: %s%s", code, out, errOut)
	}
	f, err := os.Open(qa)
	if err != nil {
		t.Fatal(err)
	}
	qs, warns, err := eval.LoadQuestions(f, qa)
	f.Close()
	if err != nil || len(warns) > 0 || len(qs) != 2 {
		t.Fatalf("got %d questions, %v, %v; want 2", len(qs), warns, err)
	}
	if qs[0].Question != bidenXi || qs[0].AsOf != "2024-10-15" || qs[0].Answer != "" || len(qs[0].MustInclude) != 0 || len(qs[0].Evidence) != 0 {
		t.Errorf("got %+v, want the first question as of the day asked, with empty expectations", qs[0])
	}
	raw, _ := os.ReadFile(qa)
	if strings.Contains(string(raw), alice.ID) || strings.Contains(string(raw), bob.ID) {
		t.Errorf("the export holds a user id:\n%s", raw)
	}

	out, errOut, code = runCLI(t, nil, "eval", "--data", data, "--qa", qa, "--json")
	if code != 0 {
		t.Fatalf("eval of the export: exit %d: %s", code, errOut)
	}
	var rep eval.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Questions != 2 || rep.Errors != 0 {
		t.Errorf("eval of the export: got %d questions, %d errors (%v), want 2 and none:\n%s", rep.Questions, rep.Errors, err, out)
	}
}

func TestFeedbackCommandErrors(t *testing.T) {
	data := t.TempDir()
	if _, errOut, code := runCLI(t, nil, "feedback", "--data", data); code != 1 || !strings.Contains(errOut, "no feedback yet") {
		t.Errorf("no file: got exit %d, %q; want 1 and “no feedback yet”", code, errOut)
	}
	bad := filepath.Join(data, feedback.File)
	if err := os.WriteFile(bad, []byte("not json\n{\"answer_id\":\"a\",\"vote\":\"up\",\"user\":\"u\",\"mode\":\"llm\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, nil, "feedback", "--data", data)
	if code != 0 || !strings.Contains(out, "1 votes on 1 answers") || !strings.Contains(errOut, "invalid JSON") {
		t.Errorf("a bad line: got exit %d, %q, %q; want the good line counted and the bad one named", code, out, errOut)
	}
	if _, errOut, code := runCLI(t, nil, "feedback", "--data", data, "extra"); code != 2 {
		t.Errorf("an argument: got exit %d (%s), want 2", code, errOut)
	}
}
