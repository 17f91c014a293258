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
