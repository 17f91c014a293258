package config_test

import (
	"strings"
	"testing"

	"citebot/config"
)

func TestShardKeys(t *testing.T) {
	for _, tc := range []struct {
		id     int
		count  string
		shards int
		bad    string // the field a problem names, "" when valid
	}{
		{0, "", 0, ""},
		{0, "1", 1, ""},
		{1, "2", 2, ""},
		{5, "auto", -1, ""},
		{3, " AUTO ", -1, ""},
		{2, "2", 0, "discord.shard_id: 2 is not a shard of 2"},
		{0, "two", 0, `discord.shard_count: "two" is not a shard count`},
		{0, "0", 0, "discord.shard_count:"},
		{-1, "2", 0, "discord.shard_id: -1 is not a shard id"},
		{1, "", 0, "discord.shard_id: shard 1 needs discord.shard_count"},
	} {
		c := config.Default()
		c.Discord.ShardID, c.Discord.ShardCount = tc.id, tc.count
		err := c.Validate()
		switch {
		case tc.bad == "" && err != nil:
			t.Errorf("shard %d of %q: got %v, want valid", tc.id, tc.count, err)
		case tc.bad == "" && c.Discord.Shards() != tc.shards:
			t.Errorf("shard %d of %q: got Shards %d, want %d", tc.id, tc.count, c.Discord.Shards(), tc.shards)
		case tc.bad != "" && (err == nil || !strings.Contains(err.Error(), tc.bad)):
			t.Errorf("shard %d of %q: got %v, want an error with %q", tc.id, tc.count, err, tc.bad)
		}
	}
	c, err := config.Load(nil, envFunc(map[string]string{"CITEBOT_SHARD_ID": "1", "CITEBOT_SHARD_COUNT": "auto", "CITEBOT_READ_ONLY": "true"}))
	if err != nil || c.Discord.ShardID != 1 || c.Discord.Shards() != -1 || !c.ReadOnly {
		t.Errorf("from the environment: got %+v, %v, want shard 1 of auto, read-only", c.Discord, err)
	}
}
