package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citebot/bot/discordtest"
)

// TestServeTwoShards is the deployment of docs/deploy.md in one test: an
// indexer job (`citebot index`) writes the index file, then two `citebot
// serve` processes, shards 0 and 1 of 2, read it read-only from the same
// data directory and answer in the servers Discord routes to each.
func TestServeTwoShards(t *testing.T) {
	data := t.TempDir()
	articles := filepath.Join(t.TempDir(), "articles.jsonl")
	line := func(id, title, text string) string {
		b, _ := json.Marshal(map[string]string{"id": id, "title": title, "source": "Example News", "published": "2024-05-01", "text": text})
		return string(b) + "\n"
	}
	if err := os.WriteFile(articles, []byte(line("a1", "Harbor bridge reopens", "The harbor bridge reopened on Monday after two years of repairs.")), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CITEBOT_DATA_DIR": data, "CITEBOT_ARTICLES": articles}
	if _, errOut, code := runCLI(t, env, "index"); code != 0 {
		t.Fatalf("index: exit %d: %s", code, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(data, "*.cbi"))
	if len(files) != 1 {
		t.Fatalf("index files: %v", files)
	}
	before, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	// A change the indexer has not seen yet: the shards index it in memory
	// but must not write the file.
	f, err := os.OpenFile(articles, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(line("a2", "Ferry fares rise", "Ferry fares rise by ten percent from June, the port authority said."))
	f.Close()

	fake := discordtest.New(t, discordtest.Options{RecommendedShards: 2, SessionStartLimit: discordtest.SessionStartLimit{Total: 1000, Remaining: 1000, MaxConcurrency: 2}})
	guilds := make([]string, 2)
	guilds[0], _ = fake.AddGuild(0, 2)
	guilds[1], _ = fake.AddGuild(1, 2)
	var shards []*served
	for i, id := range []string{"0", "1"} {
		shards = append(shards, startServe(t, fake, map[string]string{
			"CITEBOT_DATA_DIR": data, "CITEBOT_ARTICLES": articles, "CITEBOT_GUILD_ID": "", "CITEBOT_READ_ONLY": "true",
			"CITEBOT_SHARD_ID": id, "CITEBOT_SHARD_COUNT": []string{"2", "auto"}[i],
		}, nil))
	}
	u := fake.NewUser("ann")
	for i, g := range guilds {
		in := mustInvoke(t, fake, discordtest.Invocation{Command: "ask", User: u, GuildID: g,
			Options: []discordtest.Opt{{Name: "question", Value: []string{"when did the harbor bridge reopen?", "how much do ferry fares rise?"}[i]}}})
		m := finalEdit(t, fake, in)
		body := map[string]any{"content": m.Content, "embeds": anySlice(m.Embeds)}
		if got, want := messageText(body), []string{"Monday", "ten percent"}[i]; !strings.Contains(got, want) {
			t.Errorf("guild %d: got %q, want %q in it", i, got, want)
		}
		if !shards[i].logs.WaitFor(waitCtx(t), "guild="+g) || strings.Contains(shards[1-i].logs.String(), "guild="+g) {
			t.Errorf("the question in guild %d was not answered by shard %d alone:\n%s\n---\n%s", i, i, shards[i].logs, shards[1-i].logs)
		}
	}
	after, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if !after.ModTime().Equal(before.ModTime()) || after.Size() != before.Size() {
		t.Errorf("a read-only shard wrote the index file: %v %d → %v %d", before.ModTime(), before.Size(), after.ModTime(), after.Size())
	}
	if tmp, _ := filepath.Glob(filepath.Join(data, "*.tmp*")); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	for _, s := range shards {
		if err := s.Stop(t); err != nil {
			t.Errorf("serve: %v", err)
		}
	}
}

func anySlice(ms []map[string]any) []any {
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}
