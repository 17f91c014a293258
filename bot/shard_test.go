package bot_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citebot/bot"
	"citebot/bot/discordtest"
	"citebot/rag"
)

// TestTwoShards runs two bots as shards 0 and 1 of 2 against one fake
// Discord (shard 1 asks Discord for the count), sharing a state
// directory: each answers in the server whose events Discord routes to
// it, and only shard 0 registers the commands.
func TestTwoShards(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{RecommendedShards: 2,
		SessionStartLimit: discordtest.SessionStartLimit{Total: 1000, Remaining: 1000, MaxConcurrency: 2}})
	guild0, _ := fake.AddGuild(0, 2)
	guild1, _ := fake.AddGuild(1, 2)
	dir := t.TempDir()
	answering := func(shard int) bot.Answerer {
		return answerFunc(func(_ context.Context, q rag.Query) (rag.Answer, error) {
			a := bidenXiAnswer()
			a.Question = q.Question
			a.Text = fmt.Sprintf("Shard %d answers [1].", shard)
			return a, nil
		})
	}
	shards := []*running{
		startBot(t, fake, bot.Options{Answerer: answering(0), ShardID: 0, ShardCount: 2, StateDir: dir}),
		startBot(t, fake, bot.Options{Answerer: answering(1), ShardID: 1, ShardCount: bot.ShardAuto, StateDir: dir}),
	}
	u := fake.NewUser("ann")
	for _, tc := range []struct {
		guild string
		want  string
	}{
		{guild0, "Shard 0 answers"},
		{guild1, "Shard 1 answers"},
		{fake.GuildID, fmt.Sprintf("Shard %d answers", discordtest.ShardOf(fake.GuildID, 2))},
	} {
		in := invoke(t, fake, discordtest.Invocation{Command: "ask", User: u, GuildID: tc.guild, Options: []discordtest.Opt{{Name: "question", Value: "who answers?"}}})
		edits := waitEdit(t, fake, in, isFinal)
		if got := bodyText(edits[len(edits)-1]); !strings.Contains(got, tc.want) {
			t.Errorf("in guild %s (shard %d): got %q, want %q", tc.guild, discordtest.ShardOf(tc.guild, 2), got, tc.want)
		}
	}
	puts := 0
	for _, r := range fake.Requests() {
		if r.Method == "PUT" && strings.Contains(r.Route, "/commands") {
			puts++
		}
	}
	if puts != 1 {
		t.Errorf("got %d command registrations, want 1 (by shard 0)", puts)
	}
	for i, r := range shards {
		if !strings.Contains(r.logs.String(), fmt.Sprintf("shard=%d shards=2", i)) {
			t.Errorf("shard %d did not log identifying as shard %d of 2:\n%s", i, i, r.logs)
		}
		if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("discord-state-shard-%d.json", i))); err != nil {
			t.Errorf("shard %d state file: %v", i, err)
		}
	}
	if v := fake.Violations(); len(v) > 0 {
		t.Errorf("violations: %v", v)
	}
}

func TestShardOptionsChecked(t *testing.T) {
	for _, tc := range []struct {
		id, count int
		want      string
	}{
		{2, 2, "not a shard of 2"},
		{-1, 2, "negative"},
		{1, 0, "needs a ShardCount"},
		{0, -5, "ShardCount -5"},
	} {
		_, err := bot.New(bot.Options{Token: discordtest.DefaultToken, Answerer: answerWith(bidenXiAnswer()), Searcher: noSearch{}, Library: library(testArticles()),
			ShardID: tc.id, ShardCount: tc.count})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("shard %d of %d: got %v, want an error saying %q", tc.id, tc.count, err, tc.want)
		}
	}
}
