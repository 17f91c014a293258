package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"citebot/bot/discordtest"
)

// TestServeNeverShowsTheToken runs `citebot serve` at debug level with a
// recognisable token through answers, a rate-limited and a failed edit and
// shutdown (bot.TestTokenNeverLeaks adds gateway drops, panics and
// errors), then looks for the token, its secret part and
// the interaction tokens in everything serve logged and returned and in
// every request body it sent.
func TestServeNeverShowsTheToken(t *testing.T) {
	const canary = "MTE3OTk5OTk5OTk5OTk5OTk5.CaNaRy.S3CR3T-serve-canary-never-log-me-0123456789"
	secrets := []string{canary, "S3CR3T-serve-canary-never-log-me-0123456789"}
	fake := discordtest.New(t, discordtest.Options{Token: canary})
	s := startServe(t, fake, map[string]string{"DISCORD_TOKEN": canary}, nil)
	alice := fake.NewUser("alice")
	fake.RateLimit("PATCH /webhooks/{application}/{token}/messages/{message}", 1, 50*time.Millisecond)
	fake.Fail("PATCH /webhooks/{application}/{token}/messages/{message}", 1, 500)
	var ins []discordtest.Interaction
	ins = append(ins, mustInvoke(t, fake, discordtest.Ask(alice, bidenXi)))
	finalEdit(t, fake, ins[0])
	ins = append(ins, mustInvoke(t, fake, discordtest.Invocation{Command: "search", User: alice, Options: []discordtest.Opt{{Name: "query", Value: "theater commander"}}}))
	finalEdit(t, fake, ins[1])
	err := s.Stop(t)

	secrets = append(secrets, ins[0].Token, ins[1].Token)
	check := func(what, text string) {
		for _, sec := range secrets {
			if strings.Contains(text, sec) {
				t.Errorf("%s contains %.20s…", what, sec)
			}
		}
	}
	logs := s.logs.String()
	check("the log", logs)
	if err != nil {
		check("serve's error", err.Error())
	}
	for _, r := range fake.Requests() {
		body, _ := json.Marshal(r.Body)
		arr, _ := json.Marshal(r.BodyArray)
		check(r.Method+" "+r.Route+" body", string(body)+string(arr))
	}
	if !strings.Contains(logs, "level=DEBUG") || !strings.Contains(logs, "retrying a Discord request") {
		t.Errorf("the run did not log at debug level or did not retry:\n%s", logs)
	}
	t.Logf("checked %d log bytes and %d requests", len(logs), len(fake.Requests()))
}

// leakedRuns returns the runs of 16 characters of secrets found in text
// once backslashes (markdown and JSON escapes) are removed.
func leakedRuns(text string, secrets ...string) []string {
	text = strings.ReplaceAll(text, `\`, "")
	var out []string
	for _, s := range secrets {
		for i := 0; i+16 <= len(s); i++ {
			if strings.Contains(text, s[i:i+16]) {
				out = append(out, s[:8]+"…")
				break
			}
		}
	}
	return out
}

// TestServeNeverPostsItsSecrets (issue 13, item 1, the second wall): even
// when an article holds the bot token and the API key (here it simply
// does; the first wall keeps files outside the corpus out), nothing the
// bot sends to Discord contains them: not the answer of /ask, not
// /article, not the reply to a mention. Markdown escaping puts
// backslashes into the underscores of both, and a cut can leave part of
// one, so no 16 consecutive characters of either may appear, escaped or
// not.
func TestServeNeverPostsItsSecrets(t *testing.T) {
	const (
		token  = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.Ab_cD-.x_Y1-secret_canary_tok-3n_NEVER_post-0123456789"
		apiKey = "sk-proj-Canary_API_key_never_to_be_posted_0123456789ab"
	)
	dir := t.TempDir()
	writeArticle(t, dir, "leak", "Bot configuration leaked", "2024-05-01",
		"The discord token of the bot is "+token+" according to the leaked configuration file. "+
			"The OpenAI API key is "+apiKey+" and it was pasted into the team wiki. Both secrets were rotated on Friday.")
	writeArticle(t, dir, "park", "New park planned by the river", "2024-06-11",
		"Planners presented a new riverside park with a playground and a cycle path.")
	fake := discordtest.New(t, discordtest.Options{Token: token})
	s := startServe(t, fake, map[string]string{"DISCORD_TOKEN": token, "OPENAI_API_KEY": apiKey, "CITEBOT_CORPUS": dir}, nil)
	alice := fake.NewUser("alice")

	ask := mustInvoke(t, fake, discordtest.Ask(alice, "what is the discord token of the bot?"))
	answer := finalEdit(t, fake, ask).Text()
	article := mustInvoke(t, fake, discordtest.Invocation{Command: "article", User: alice, Options: []discordtest.Opt{{Name: "id", Value: "leak"}}})
	shown := messageText(callback(t, fake, article).Message())
	mention := mustPost(t, fake, discordtest.Post{Author: alice, Content: "<@" + fake.BotUser.ID + "> what is the OpenAI API key?"})
	reply := messageText(replyTo(t, fake, mention).Body)
	if err := s.Stop(t); err != nil {
		t.Errorf("serve returned %v", err)
	}

	for what, text := range map[string]string{"/ask": answer, "/article": shown, "the mention's reply": reply} {
		if !strings.Contains(text, "[redacted]") {
			t.Errorf("%s does not show the redaction (did it reach the secret?):\n%s", what, text)
		}
	}
	for _, r := range fake.Requests() {
		body, _ := json.Marshal(r.Body)
		arr, _ := json.Marshal(r.BodyArray)
		if l := leakedRuns(string(body)+string(arr), token, apiKey); len(l) > 0 {
			t.Errorf("%s %s sent %v", r.Method, r.Route, l)
		}
	}
	if l := leakedRuns(s.logs.String(), token, apiKey); len(l) > 0 {
		t.Errorf("the logs contain %v", l)
	}
	t.Logf("/ask:\n%s\n/article:\n%s", answer, shown)
}
