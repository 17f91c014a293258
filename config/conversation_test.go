package config_test

import (
	"strings"
	"testing"
	"time"

	"citebot/config"
)

func TestConversationSettings(t *testing.T) {
	d := config.Default()
	if d.Discord.Conversations != 10000 || d.Discord.ConversationTTL != time.Hour || d.Discord.MessageContent {
		t.Errorf("got defaults %d, %s, %v; want 10000, 1h, false", d.Discord.Conversations, d.Discord.ConversationTTL, d.Discord.MessageContent)
	}
	t.Run("environment", func(t *testing.T) {
		env := map[string]string{"CITEBOT_CONVERSATIONS": "500", "CITEBOT_CONVERSATION_TTL": "30m", "CITEBOT_MESSAGE_CONTENT": "true"}
		c, err := config.Load(nil, func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if c.Discord.Conversations != 500 || c.Discord.ConversationTTL != 30*time.Minute || !c.Discord.MessageContent {
			t.Errorf("got %d, %s, %v; want 500, 30m, true", c.Discord.Conversations, c.Discord.ConversationTTL, c.Discord.MessageContent)
		}
	})
	tests := []struct {
		name  string
		set   func(*config.Config)
		field string
	}{
		{"no conversations", func(c *config.Config) { c.Discord.Conversations = 0 }, "discord.conversations:"},
		{"too many conversations", func(c *config.Config) { c.Discord.Conversations = 2000000 }, "discord.conversations:"},
		{"too short", func(c *config.Config) { c.Discord.ConversationTTL = time.Second }, "discord.conversation_ttl:"},
		{"too long", func(c *config.Config) { c.Discord.ConversationTTL = 48 * time.Hour }, "discord.conversation_ttl:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			tt.set(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("got %v, want an error naming %s", err, tt.field)
			}
		})
	}
}
