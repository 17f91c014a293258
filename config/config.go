// Package config holds citebot's one configuration struct and loads it in a
// fixed order: [Default], then an optional YAML file, then the environment,
// then command-line flags. [Config.Validate] reports every problem at once,
// each naming its field.
//
// No other package reads the environment: cmd loads a Config and hands the
// parts to corpus, rag and bot. Secrets are of type [Secret], which prints
// and marshals as "[redacted]" so that a Config can be logged safely.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration of citebot. The YAML keys are the tags;
// see [Keys] for the matching environment variables and flags.
type Config struct {
	// Corpus is a directory of .txt/.md articles (and .jsonl article files),
	// read confined to it. Empty: the shipped seed corpus.
	Corpus string `yaml:"corpus"`
	// Articles is a JSONL file of articles, used instead of Corpus.
	Articles string `yaml:"articles"`
	// ReadOnly keeps commands from writing the index file: serve processes
	// that share one (shards) read it, and `citebot index` writes it.
	// Articles that changed since are indexed in memory. Default false.
	ReadOnly bool `yaml:"read_only"`
	// DataDir holds the index. Default: "citebot" in the user cache directory.
	DataDir string `yaml:"data_dir"`
	// AsOf is the "today" of temporal questions (YYYY-MM-DD). Empty: the real date.
	AsOf string `yaml:"as_of"`
	// TopK is how many passages retrieval returns. Default 5, at most 50.
	TopK int `yaml:"top_k"`
	// LocalDim is the vector length of the local embedder (used without
	// openai.embedding_model). Default 512, 64 to 4096. Each passage's
	// vector takes 4 bytes a dimension in memory and in the index file:
	// 256 halves that for a large corpus (docs/performance.md measures
	// what it does to answers). Changing it re-embeds the corpus.
	LocalDim int `yaml:"local_dim"`
	// VectorsInMemory reads the index file's vectors into the process's
	// memory. Default false: they are used from the file, memory-mapped,
	// as page cache the kernel may reclaim and that processes mapping one
	// file share; an index file replaced in place (cp over it, rather than
	// a rename) while mapped then crashes the process.
	VectorsInMemory bool `yaml:"vectors_in_memory"`

	Log     Log     `yaml:"log"`
	Chunk   Chunk   `yaml:"chunk"`
	OpenAI  OpenAI  `yaml:"openai"`
	Discord Discord `yaml:"discord"`
	HTTP    HTTP    `yaml:"http"`

	file loadedFile // the file Load read, for InsecureFile
}

// Log configures the process logger.
type Log struct {
	// Level is debug, info, warn or error. Default info.
	Level string `yaml:"level"`
	// Format is text or json. Default text.
	Format string `yaml:"format"`
}

// Chunk configures how articles are split into passages.
type Chunk struct {
	// MaxChars is the largest chunk in bytes of text. Default 1000, 200 to 8000.
	MaxChars int `yaml:"max_chars"`
	// OverlapChars is how much trailing text (whole sentences) a chunk repeats
	// from the previous one. Default 250, less than MaxChars/2.
	OverlapChars int `yaml:"overlap_chars"`
}

// OpenAI configures the model-backed path through any OpenAI-compatible server.
type OpenAI struct {
	// APIKey authenticates with the server. May be empty when BaseURL is set
	// (local servers such as Ollama need none).
	APIKey Secret `yaml:"api_key"`
	// BaseURL is the server's API root, e.g. http://localhost:11434/v1 for
	// Ollama. Empty: https://api.openai.com/v1.
	BaseURL string `yaml:"base_url"`
	// ChatModel switches answers to the model-backed path when set.
	ChatModel string `yaml:"chat_model"`
	// EmbeddingModel switches embeddings to the server when set. Empty: the
	// local embedder.
	EmbeddingModel string `yaml:"embedding_model"`
	// Timeout bounds one model request. Default 60s.
	Timeout time.Duration `yaml:"timeout"`
	// MaxConcurrent bounds simultaneous model requests. Default 4.
	MaxConcurrent int `yaml:"max_concurrent"`
	// MaxRetries bounds retries of a failed request (429, 5xx, network). Default 3.
	MaxRetries int `yaml:"max_retries"`
}

// Discord configures the bot.
type Discord struct {
	// Token is the bot token from the Discord developer portal.
	Token Secret `yaml:"token"`
	// GuildID registers the commands in one server (instant) instead of globally.
	GuildID string `yaml:"guild_id"`
	// AnswerTimeout bounds the work on one question. Default 60s, at most 14m.
	AnswerTimeout time.Duration `yaml:"answer_timeout"`
	// UserRate is how many questions one user may ask per minute. Default 6.
	UserRate int `yaml:"user_rate"`
	// MaxConcurrent bounds questions answered at once. Default 8.
	MaxConcurrent int `yaml:"max_concurrent"`
	// ShutdownGrace is how long answers in progress may take to finish
	// when serve is stopped; their askers are told after that. Default
	// 10s, 1s to 14m. Give the container manager's stop timeout more.
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
	// Conversations is how many answers the bot remembers for follow-up
	// questions and feedback, in memory only (least recently used
	// forgotten first). Default 10000, 1 to 1000000.
	Conversations int `yaml:"conversations"`
	// ConversationTTL is how long an answer is remembered after it was
	// last answered or continued. Default 1h, 1m to 24h.
	ConversationTTL time.Duration `yaml:"conversation_ttl"`
	// MessageContent asks Discord for the privileged Message Content
	// intent (enable it in the developer portal first), so that replies to
	// the bot's answers without the reply ping are answered too. Default
	// false: such replies are seen only in direct messages.
	MessageContent bool `yaml:"message_content"`
	// ShardID is the shard this process serves, from 0 (see ShardCount).
	ShardID int `yaml:"shard_id"`
	// ShardCount is how many shards the bot's servers are spread over,
	// one process each: a number, "auto" (the count Discord recommends in
	// GET /gateway/bot) or empty for none (one process serves all).
	// Discord requires sharding past 2,500 servers.
	ShardCount string `yaml:"shard_count"`
}

// MaxShards bounds discord.shard_count.
const MaxShards = 65536

// Shards returns the shard count of discord.shard_count: 0 for none, -1
// for "auto". Call Validate first.
func (d Discord) Shards() int {
	switch s := strings.TrimSpace(d.ShardCount); strings.ToLower(s) {
	case "":
		return 0
	case "auto":
		return -1
	default:
		n, _ := strconv.Atoi(s)
		return n
	}
}

// HTTP configures the optional operations listener.
type HTTP struct {
	// Addr is the listen address of /healthz, /readyz and /metrics, e.g.
	// 127.0.0.1:8080. Empty: off.
	Addr string `yaml:"addr"`
}

// Built-in defaults that a build may stamp into the binary with
// -ldflags "-X citebot/config.builtinDataDir=/data -X citebot/config.builtinHTTPAddr=:8080",
// as the Dockerfile does. They are defaults: a configuration file, the
// environment and flags all override them. Empty: not stamped.
var (
	builtinDataDir  string
	builtinHTTPAddr string
)

// Default returns the configuration citebot runs with when nothing is set.
// DataDir is citebot in the user cache directory, and HTTP.Addr is empty
// (off), unless the binary was built with other defaults (the container
// image's binary: /data and :8080).
//
// The other values are the defaults of the packages that use them
// (bot.Default*, rag.DefaultK, rag.DefaultChunker and rag/openai's
// Default*). config imports no other package of citebot, so it writes
// them again here; TestConfigDefaultsAreThePackagesDefaults in
// cmd/citebot fails when they differ.
func Default() Config {
	dir := "citebot-data"
	if cache, err := os.UserCacheDir(); err == nil {
		dir = filepath.Join(cache, "citebot")
	}
	if builtinDataDir != "" {
		dir = builtinDataDir
	}
	return Config{
		DataDir: dir,
		HTTP:    HTTP{Addr: builtinHTTPAddr},
		TopK:    5,
		Log:     Log{Level: "info", Format: "text"},
		Chunk:   Chunk{MaxChars: 1000, OverlapChars: 250},
		OpenAI:  OpenAI{Timeout: 60 * time.Second, MaxConcurrent: 4, MaxRetries: 3},
		Discord: Discord{AnswerTimeout: 60 * time.Second, UserRate: 6, MaxConcurrent: 8, ShutdownGrace: 10 * time.Second,
			Conversations: 10000, ConversationTTL: time.Hour},
		LocalDim: 512,
	}
}

// ModelBacked reports whether answers come from a chat model.
func (c Config) ModelBacked() bool { return c.OpenAI.ChatModel != "" }

// AsOfDate returns the parsed AsOf date and true, or false when AsOf is
// empty (or invalid: call Validate first). The "today" that stands in
// for an empty AsOf is rag.Today's to decide; cmd asks it.
func (c Config) AsOfDate() (time.Time, bool) {
	if c.AsOf == "" {
		return time.Time{}, false
	}
	t, err := parseDate(c.AsOf)
	return t, err == nil
}

// FieldError is one problem [Config.Validate] found: the field's YAML key
// and what is wrong with its value, saying what is accepted.
type FieldError struct {
	// Key is the dotted YAML key of the field, e.g. "top_k".
	Key string
	// Problem describes the value and what is accepted.
	Problem string
}

// Error returns "key: problem".
func (e *FieldError) Error() string { return e.Key + ": " + e.Problem }

// InvalidKeys returns the keys of the [FieldError]s in err, an error from
// [Config.Validate], in order; nil when it holds none.
func InvalidKeys(err error) []string {
	var keys []string
	var walk func(error)
	walk = func(err error) {
		var fe *FieldError
		switch x := err.(type) {
		case nil:
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				walk(e)
			}
		default:
			if errors.As(err, &fe) {
				keys = append(keys, fe.Key)
			}
		}
	}
	walk(err)
	return keys
}

// Validate checks every field and returns all problems joined, each a
// [*FieldError] starting with the field's YAML key and saying what is
// accepted.
func (c Config) Validate() error {
	var v validator
	c.validateInputs(&v)
	v.intIn("top_k", c.TopK, 1, 50, "1 to 50")
	v.intIn("local_dim", c.LocalDim, 64, 4096, "64 to 4096")
	c.validateLog(&v)
	v.intIn("chunk.max_chars", c.Chunk.MaxChars, 200, 8000, "200 to 8000")
	if c.Chunk.OverlapChars < 0 || c.Chunk.OverlapChars*2 >= c.Chunk.MaxChars {
		v.bad("chunk.overlap_chars", "%d is out of range (0 to less than half of chunk.max_chars)", c.Chunk.OverlapChars)
	}
	c.validateOpenAI(&v)
	c.validateShards(&v)
	c.validateDiscordLimits(&v)
	if c.HTTP.Addr != "" {
		if _, port, err := splitHostPort(c.HTTP.Addr); err != nil || port == "" {
			v.bad("http.addr", "%q is not a host:port address such as 127.0.0.1:8080", c.HTTP.Addr)
		}
	}
	return errors.Join(v.errs...)
}

// validator collects the problems Validate finds, in order.
type validator struct{ errs []error }

// bad records a problem with the field key.
func (v *validator) bad(key, format string, args ...any) {
	v.errs = append(v.errs, &FieldError{Key: key, Problem: fmt.Sprintf(format, args...)})
}

// intIn checks that n is from lo to hi; limits is the range as the
// message says it.
func (v *validator) intIn(key string, n, lo, hi int, limits string) {
	if n < lo || n > hi {
		v.bad(key, "%d is out of range (%s)", n, limits)
	}
}

// durationIn checks that d is from lo to hi; limits is the range as the
// message says it.
func (v *validator) durationIn(key string, d, lo, hi time.Duration, limits string) {
	if d < lo || d > hi {
		v.bad(key, "%s is out of range (%s)", d, limits)
	}
}

// validateInputs checks the corpus, the articles file, the data directory
// and as_of.
func (c Config) validateInputs(v *validator) {
	if c.Corpus != "" && c.Articles != "" {
		v.bad("articles", "set either corpus or articles, not both")
	}
	if c.Corpus != "" {
		if fi, err := os.Stat(c.Corpus); err != nil {
			v.bad("corpus", "%v", unwrapPath(err))
		} else if !fi.IsDir() {
			v.bad("corpus", "%q is not a directory (use articles for a JSONL file)", c.Corpus)
		}
	}
	if c.Articles != "" {
		if fi, err := os.Stat(c.Articles); err != nil {
			v.bad("articles", "%v", unwrapPath(err))
		} else if fi.IsDir() {
			v.bad("articles", "%q is a directory (use corpus for a directory of articles)", c.Articles)
		}
	}
	if strings.TrimSpace(c.DataDir) == "" {
		v.bad("data_dir", "must not be empty")
	} else if fi, err := os.Stat(c.DataDir); err == nil && !fi.IsDir() {
		v.bad("data_dir", "%q is a file; it must be a directory (created when missing)", c.DataDir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		v.bad("data_dir", "%v", unwrapPath(err))
	}
	if c.AsOf != "" {
		if _, err := parseDate(c.AsOf); err != nil {
			v.bad("as_of", "%q is not a date in the form YYYY-MM-DD", c.AsOf)
		}
	}
}

// validateLog checks the log level and format.
func (c Config) validateLog(v *validator) {
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "warning", "error":
	default:
		v.bad("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch strings.ToLower(c.Log.Format) {
	case "text", "json":
	default:
		v.bad("log.format", "%q is not one of text, json", c.Log.Format)
	}
}

// validateOpenAI checks the model server's settings.
func (c Config) validateOpenAI(v *validator) {
	if c.OpenAI.BaseURL != "" {
		if u, err := url.Parse(c.OpenAI.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.bad("openai.base_url", "%q is not an http(s) URL such as http://localhost:11434/v1", RedactURL(c.OpenAI.BaseURL))
		}
	}
	if (c.OpenAI.ChatModel != "" || c.OpenAI.EmbeddingModel != "") && c.OpenAI.APIKey == "" && c.OpenAI.BaseURL == "" {
		v.bad("openai.api_key", "is required for api.openai.com; set OPENAI_API_KEY, or set openai.base_url for a local server")
	}
	v.durationIn("openai.timeout", c.OpenAI.Timeout, time.Second, 30*time.Minute, "1s to 30m")
	v.intIn("openai.max_concurrent", c.OpenAI.MaxConcurrent, 1, 256, "1 to 256")
	v.intIn("openai.max_retries", c.OpenAI.MaxRetries, 0, 10, "0 to 10")
}

// validateShards checks discord.shard_count and discord.shard_id.
func (c Config) validateShards(v *validator) {
	if sc := strings.TrimSpace(c.Discord.ShardCount); sc != "" && !strings.EqualFold(sc, "auto") {
		if n, err := strconv.Atoi(sc); err != nil || n < 1 || n > MaxShards {
			v.bad("discord.shard_count", "%q is not a shard count: use a number from 1 to %d, or auto", sc, MaxShards)
		} else if c.Discord.ShardID >= n {
			v.bad("discord.shard_id", "%d is not a shard of %d: use 0 to %d", c.Discord.ShardID, n, n-1)
		}
	}
	if c.Discord.ShardID < 0 || c.Discord.ShardID >= MaxShards {
		v.bad("discord.shard_id", "%d is not a shard id: use 0 to %d", c.Discord.ShardID, MaxShards-1)
	} else if c.Discord.ShardID > 0 && strings.TrimSpace(c.Discord.ShardCount) == "" {
		v.bad("discord.shard_id", "shard %d needs discord.shard_count (a number or auto)", c.Discord.ShardID)
	}
}

// validateDiscordLimits checks the guild id and the bot's time and
// memory limits.
func (c Config) validateDiscordLimits(v *validator) {
	if c.Discord.GuildID != "" && !isSnowflake(c.Discord.GuildID) {
		v.bad("discord.guild_id", "%q is not a Discord id (digits only)", c.Discord.GuildID)
	}
	v.durationIn("discord.answer_timeout", c.Discord.AnswerTimeout, time.Second, 14*time.Minute, "1s to 14m; Discord drops interactions after 15m")
	v.durationIn("discord.shutdown_grace", c.Discord.ShutdownGrace, time.Second, 14*time.Minute, "1s to 14m")
	v.intIn("discord.user_rate", c.Discord.UserRate, 1, 600, "1 to 600 questions per minute")
	v.intIn("discord.max_concurrent", c.Discord.MaxConcurrent, 1, 1024, "1 to 1024")
	v.intIn("discord.conversations", c.Discord.Conversations, 1, 1000000, "1 to 1000000 remembered answers")
	v.durationIn("discord.conversation_ttl", c.Discord.ConversationTTL, time.Minute, 24*time.Hour, "1m to 24h")
}

// ValidateDiscord checks what `citebot serve` needs beyond Validate: a token
// of the right shape. It never includes the token in the error.
func (c Config) ValidateDiscord() error {
	tok := strings.TrimSpace(c.Discord.Token.Reveal())
	tok = strings.TrimPrefix(tok, "Bot ")
	switch {
	case tok == "":
		return errors.New("discord.token: is required; set DISCORD_TOKEN to the bot token from the Discord developer portal")
	case strings.ContainsAny(tok, " \t\r\n"):
		return errors.New("discord.token: contains white space; paste the token exactly as the developer portal shows it")
	case strings.Count(tok, ".") != 2 || len(tok) < 50:
		return errors.New("discord.token: is malformed (a bot token has three dot-separated parts, about 70 characters); reset it in the developer portal and copy it again")
	}
	return nil
}

// NoColorEnv is the environment variable that turns off ANSI colour and
// styling in terminal output when it is set and not empty (https://no-color.org).
const NoColorEnv = "NO_COLOR"

// NoColor reports whether getenv has NO_COLOR set to a value that is not
// empty: then output carries no ANSI colour or styling, even on a terminal.
func NoColor(getenv func(string) string) bool {
	return getenv(NoColorEnv) != ""
}

func parseDate(s string) (time.Time, error) {
	return time.Parse("2006-01-02", strings.TrimSpace(s))
}

func isSnowflake(s string) bool {
	if len(s) < 5 || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func splitHostPort(addr string) (host, port string, err error) {
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return "", "", errors.New("missing port")
	}
	host, port = addr[:i], addr[i+1:]
	for _, r := range port {
		if r < '0' || r > '9' {
			return "", "", errors.New("bad port")
		}
	}
	return host, port, nil
}

// unwrapPath turns "stat x: no such file or directory" into a shorter message.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%q does not exist", pe.Path)
		}
		return fmt.Errorf("%q: %v", pe.Path, pe.Err)
	}
	return err
}
