package main

import (
	"testing"

	"citebot/bot"
	"citebot/config"
	"citebot/rag"
	"citebot/rag/openai"
)

// TestConfigDefaultsAreThePackagesDefaults holds config.Default to the
// defaults bot and rag export. config imports neither (it uses only the
// standard library and YAML), so it writes the values again; this test is
// what keeps one home for each.
func TestConfigDefaultsAreThePackagesDefaults(t *testing.T) {
	d := config.Default()
	ch := rag.DefaultChunker()
	tests := []struct {
		key       string
		got, want any
	}{
		{"top_k", d.TopK, bot.DefaultTopK},
		{"top_k (rag)", d.TopK, rag.DefaultK},
		{"chunk.max_chars", d.Chunk.MaxChars, ch.MaxChars},
		{"chunk.overlap_chars", d.Chunk.OverlapChars, ch.OverlapChars},
		{"openai.base_url", d.OpenAI.BaseURL, ""}, // empty means openai.DefaultBaseURL
		{"openai.timeout", d.OpenAI.Timeout, openai.DefaultTimeout},
		{"openai.max_concurrent", d.OpenAI.MaxConcurrent, openai.DefaultMaxConcurrent},
		{"openai.max_retries", d.OpenAI.MaxRetries, openai.DefaultMaxRetries},
		{"discord.answer_timeout", d.Discord.AnswerTimeout, bot.DefaultAnswerTimeout},
		{"discord.user_rate", d.Discord.UserRate, bot.DefaultUserRate},
		{"discord.max_concurrent", d.Discord.MaxConcurrent, bot.DefaultMaxConcurrent},
		{"discord.shutdown_grace", d.Discord.ShutdownGrace, bot.DefaultShutdownGrace},
		{"discord.conversations", d.Discord.Conversations, bot.DefaultConversations},
		{"discord.conversation_ttl", d.Discord.ConversationTTL, bot.DefaultConversationTTL},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("config.Default %s = %v, want the package default %v", tt.key, tt.got, tt.want)
			}
		})
	}
}
