package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Key describes one configuration field: its YAML key, the environment
// variables that set it (the first is canonical) and its command-line flag.
type Key struct {
	// Name is the dotted YAML key, e.g. "openai.chat_model".
	Name string
	// Env lists the environment variables, canonical first.
	Env []string
	// Flag is the command-line flag name without dashes; empty when the key
	// has no flag.
	Flag string
	// Usage is the one-line description shown by -h and in the table of
	// docs/configuration.md.
	Usage string
	// Secret marks keys whose value is never printed.
	Secret bool
	// URL marks keys whose value is a URL, printed only through
	// [RedactURL].
	URL bool
	// ServeOnly marks keys only `citebot serve` reads (Discord and its HTTP
	// endpoints): the other commands define no flag for them. Their file
	// and environment values are loaded and checked all the same.
	ServeOnly bool
	// DefaultDoc is the default as docs/configuration.md shows it, when
	// the value of [Default] would not do (it depends on the machine, or
	// an empty value means something); empty: that value.
	DefaultDoc string

	field func(*Config) any // pointer to the field: *string, *int, *bool, *time.Duration, *Secret
}

// Keys lists every configuration key, in the order of the table in
// docs/configuration.md, which `go generate ./config` writes from it.
//
//go:generate go run ./gen -o ../docs/configuration.md
var Keys = []Key{
	{Name: "corpus", Env: []string{"CITEBOT_CORPUS"}, Flag: "corpus", Usage: "directory of .txt/.md articles and .jsonl article files (default: the shipped seed corpus)", DefaultDoc: "the shipped corpus", field: func(c *Config) any { return &c.Corpus }},
	{Name: "articles", Env: []string{"CITEBOT_ARTICLES"}, Flag: "articles", Usage: "JSONL file of articles, instead of a corpus directory", field: func(c *Config) any { return &c.Articles }},
	{Name: "data_dir", Env: []string{"CITEBOT_DATA_DIR", "CITEBOT_DATA"}, Flag: "data", Usage: "directory that holds the index; created when missing, and a file there is a configuration error (default: citebot in the user cache dir; the image: /data)", DefaultDoc: "`citebot` in the user cache directory, e.g. `~/.cache/citebot`; the image: `/data`", field: func(c *Config) any { return &c.DataDir }},
	{Name: "as_of", Env: []string{"CITEBOT_AS_OF"}, Flag: "as-of", Usage: `the "today" of temporal questions, YYYY-MM-DD (default: the real date)`, DefaultDoc: "today", field: func(c *Config) any { return &c.AsOf }},
	{Name: "top_k", Env: []string{"CITEBOT_TOP_K"}, Flag: "k", Usage: "passages to retrieve, 1 to 50", field: func(c *Config) any { return &c.TopK }},
	{Name: "vectors_in_memory", Env: []string{"CITEBOT_VECTORS_IN_MEMORY"}, Usage: "read the index file's vectors into memory instead of mapping the file (which shares them as page cache; an index file overwritten in place, not renamed, crashes a process mapping it)", field: func(c *Config) any { return &c.VectorsInMemory }},
	{Name: "local_dim", Env: []string{"CITEBOT_LOCAL_DIM"}, Usage: "vector length of the local embedder, 64 to 4096; 256 halves the vectors' memory (changing it re-embeds the corpus)", field: func(c *Config) any { return &c.LocalDim }},
	{Name: "log.level", Env: []string{"CITEBOT_LOG_LEVEL"}, Flag: "log-level", Usage: "debug, info, warn or error", field: func(c *Config) any { return &c.Log.Level }},
	{Name: "log.format", Env: []string{"CITEBOT_LOG_FORMAT"}, Flag: "log-format", Usage: "text or json", field: func(c *Config) any { return &c.Log.Format }},
	{Name: "chunk.max_chars", Env: []string{"CITEBOT_CHUNK_MAX_CHARS"}, Usage: "largest passage in bytes, 200 to 8000", field: func(c *Config) any { return &c.Chunk.MaxChars }},
	{Name: "chunk.overlap_chars", Env: []string{"CITEBOT_CHUNK_OVERLAP_CHARS"}, Usage: "whole sentences repeated between passages, in bytes, less than half of chunk.max_chars", field: func(c *Config) any { return &c.Chunk.OverlapChars }},
	{Name: "openai.api_key", Env: []string{"OPENAI_API_KEY", "CITEBOT_OPENAI_API_KEY"}, Usage: "API key of the OpenAI-compatible server (optional with a base URL); never printed", Secret: true, field: func(c *Config) any { return &c.OpenAI.APIKey }},
	{Name: "openai.base_url", Env: []string{"OPENAI_BASE_URL", "CITEBOT_OPENAI_BASE_URL"}, Flag: "base-url", Usage: "API root of an OpenAI-compatible server, e.g. http://localhost:11434/v1 (Ollama)", URL: true, DefaultDoc: "`https://api.openai.com/v1`", field: func(c *Config) any { return &c.OpenAI.BaseURL }},
	{Name: "openai.chat_model", Env: []string{"CITEBOT_CHAT_MODEL", "CITEBOT_OPENAI_CHAT_MODEL"}, Flag: "chat-model", Usage: "chat model; set it to answer with the model instead of extractively (mode: llm)", field: func(c *Config) any { return &c.OpenAI.ChatModel }},
	{Name: "openai.embedding_model", Env: []string{"CITEBOT_EMBEDDING_MODEL", "CITEBOT_OPENAI_EMBEDDING_MODEL"}, Flag: "embedding-model", Usage: "embedding model on the same server; empty: the local embedder", DefaultDoc: "the local embedder", field: func(c *Config) any { return &c.OpenAI.EmbeddingModel }},
	{Name: "openai.timeout", Env: []string{"CITEBOT_OPENAI_TIMEOUT"}, Usage: "timeout of one model request, 1s to 30m", field: func(c *Config) any { return &c.OpenAI.Timeout }},
	{Name: "openai.max_concurrent", Env: []string{"CITEBOT_OPENAI_MAX_CONCURRENT"}, Usage: "model requests at once, 1 to 256", field: func(c *Config) any { return &c.OpenAI.MaxConcurrent }},
	{Name: "openai.max_retries", Env: []string{"CITEBOT_OPENAI_MAX_RETRIES"}, Usage: "retries of a failed model request (429, 5xx, network), 0 to 10", field: func(c *Config) any { return &c.OpenAI.MaxRetries }},
	{Name: "discord.token", Env: []string{"DISCORD_TOKEN", "CITEBOT_DISCORD_TOKEN"}, Usage: "bot token from the Discord developer portal; never printed", Secret: true, DefaultDoc: "(required by `serve`)", field: func(c *Config) any { return &c.Discord.Token }},
	{Name: "discord.guild_id", Env: []string{"CITEBOT_GUILD_ID", "CITEBOT_DISCORD_GUILD_ID"}, Flag: "guild", ServeOnly: true, Usage: "register commands in this server only (instant); empty: globally", DefaultDoc: "global", field: func(c *Config) any { return &c.Discord.GuildID }},
	{Name: "discord.answer_timeout", Env: []string{"CITEBOT_ANSWER_TIMEOUT", "CITEBOT_DISCORD_ANSWER_TIMEOUT"}, Usage: "time limit of one answer, 1s to 14m", field: func(c *Config) any { return &c.Discord.AnswerTimeout }},
	{Name: "discord.user_rate", Env: []string{"CITEBOT_USER_RATE", "CITEBOT_DISCORD_USER_RATE"}, Usage: "questions one user may ask per minute, 1 to 600", field: func(c *Config) any { return &c.Discord.UserRate }},
	{Name: "discord.max_concurrent", Env: []string{"CITEBOT_MAX_CONCURRENT", "CITEBOT_DISCORD_MAX_CONCURRENT"}, Usage: "questions answered at once, 1 to 1024", field: func(c *Config) any { return &c.Discord.MaxConcurrent }},
	{Name: "discord.shutdown_grace", Env: []string{"CITEBOT_SHUTDOWN_GRACE", "CITEBOT_DISCORD_SHUTDOWN_GRACE"}, Usage: "how long answers in progress may finish when serve stops, 1s to 14m", field: func(c *Config) any { return &c.Discord.ShutdownGrace }},
	{Name: "discord.conversations", Env: []string{"CITEBOT_CONVERSATIONS", "CITEBOT_DISCORD_CONVERSATIONS"}, Usage: "answers remembered for follow-ups and feedback, in memory only, 1 to 1000000", field: func(c *Config) any { return &c.Discord.Conversations }},
	{Name: "discord.conversation_ttl", Env: []string{"CITEBOT_CONVERSATION_TTL", "CITEBOT_DISCORD_CONVERSATION_TTL"}, Usage: "how long an answer is remembered after its last use, 1m to 24h", field: func(c *Config) any { return &c.Discord.ConversationTTL }},
	{Name: "discord.message_content", Env: []string{"CITEBOT_MESSAGE_CONTENT", "CITEBOT_DISCORD_MESSAGE_CONTENT"}, Usage: "ask for the privileged Message Content intent (enable it in the developer portal), to answer replies without the ping", field: func(c *Config) any { return &c.Discord.MessageContent }},
	{Name: "discord.shard_id", Env: []string{"CITEBOT_SHARD_ID", "CITEBOT_DISCORD_SHARD_ID"}, Flag: "shard-id", ServeOnly: true, Usage: "the shard this serve process runs, from 0 (with discord.shard_count; see docs/deploy.md)", field: func(c *Config) any { return &c.Discord.ShardID }},
	{Name: "discord.shard_count", Env: []string{"CITEBOT_SHARD_COUNT", "CITEBOT_DISCORD_SHARD_COUNT"}, Flag: "shard-count", ServeOnly: true, Usage: "shards (serve processes) in all: a number, auto (Discord's recommendation from GET /gateway/bot) or empty for one process serving every server", DefaultDoc: "none", field: func(c *Config) any { return &c.Discord.ShardCount }},
	{Name: "read_only", Env: []string{"CITEBOT_READ_ONLY"}, Flag: "read-only", Usage: "never write the index file or the corpus snapshot (shards share those citebot index writes); changes are indexed in memory only", field: func(c *Config) any { return &c.ReadOnly }},
	{Name: "http.addr", Env: []string{"CITEBOT_HTTP_ADDR"}, Flag: "http", ServeOnly: true, Usage: "address of /healthz, /readyz and /metrics (serve only), e.g. 127.0.0.1:8080; empty: off (the image: :8080)", DefaultDoc: "off; the image: `:8080`", field: func(c *Config) any { return &c.HTTP.Addr }},
}

// FileEnv is the environment variable naming the configuration file; the
// --config flag wins over it.
const FileEnv = "CITEBOT_CONFIG"

// LoadFile reads a YAML configuration file onto c. Keys it does not know are
// an error, so that a typo does not pass silently: each is named with its
// dotted key, its line and the likeliest intended key. Secret values never
// appear in its errors. The file is read only when it is a regular file
// (a named pipe is refused at once, not waited on), of at most 1 MiB.
func (c *Config) LoadFile(path string) error {
	_, err := c.loadFile(path)
	return err
}

// loadFile is LoadFile that also returns the keys found in the file. It
// reads the file once and parses it into a node tree once, for both the
// unknown keys and the keys it returns.
func (c *Config) loadFile(path string) ([]fileKey, error) {
	data, mode, err := readFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	keys := fileKeys(&doc)
	if err := unknownKeys(path, keys); err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	c.file = loadedFile{path: path, mode: mode, secrets: secretKeys(keys)}
	return keys, nil
}

// ApplyEnv sets fields from the environment through getenv. An empty
// variable counts as unset. Errors name the variable, never its value when
// the key is secret.
func (c *Config) ApplyEnv(getenv func(string) string) error {
	return c.applyEnv(getenv, nil)
}

// applyEnv is ApplyEnv that also calls note, unless it is nil, with the
// variable chosen for each key it sets.
func (c *Config) applyEnv(getenv func(string) string, note func(Key, Source)) error {
	var errs []error
	for _, k := range Keys {
		for _, name := range k.Env {
			v := getenv(name)
			if strings.TrimSpace(v) == "" {
				continue
			}
			if note != nil {
				note(k, Source{Layer: "env", Name: name})
			}
			if err := set(k.field(c), v); err != nil {
				errs = append(errs, fmt.Errorf("%s (%s): %w", k.Name, name, err))
			}
			break
		}
	}
	return errors.Join(errs...)
}

// Flags binds configuration flags to a flag set and applies only those the
// user set, so that flags win over the file and the environment without
// their defaults overriding either.
type Flags struct {
	// ConfigFile is the value of --config.
	ConfigFile string
	scratch    Config
	fs         *flag.FlagSet
}

// FlagNames returns the flags of the keys a command reads: every key's
// with serve, else those of the keys that are not [Key.ServeOnly].
func FlagNames(serve bool) []string {
	var names []string
	for _, k := range Keys {
		if k.Flag != "" && (serve || !k.ServeOnly) {
			names = append(names, k.Flag)
		}
	}
	return names
}

// RegisterFlags defines --config and the flag of every key in [Keys] whose
// name is in names (all keys with a flag when names is empty) on fs.
func RegisterFlags(fs *flag.FlagSet, names ...string) *Flags {
	f := &Flags{scratch: Default(), fs: fs}
	fs.StringVar(&f.ConfigFile, "config", "", "YAML configuration file (env "+FileEnv+")")
	for _, k := range Keys {
		if k.Flag == "" || (len(names) > 0 && !slices.Contains(names, k.Flag)) {
			continue
		}
		usage := k.Usage + " (env " + k.Env[0] + ")"
		switch p := k.field(&f.scratch).(type) {
		case *string:
			fs.StringVar(p, k.Flag, *p, usage)
		case *int:
			fs.IntVar(p, k.Flag, *p, usage)
		case *bool:
			fs.BoolVar(p, k.Flag, *p, usage)
		case *time.Duration:
			fs.DurationVar(p, k.Flag, *p, usage)
		}
	}
	return f
}

// Apply copies the flags the user set onto c.
func (f *Flags) Apply(c *Config) {
	f.apply(c, nil)
}

// apply is Apply that also calls note, unless it is nil, with the flag of
// each key it sets.
func (f *Flags) apply(c *Config, note func(Key, Source)) {
	f.fs.Visit(func(fl *flag.Flag) {
		for _, k := range Keys {
			if k.Flag != fl.Name {
				continue
			}
			if note != nil {
				note(k, Source{Layer: "flag", Name: flagName(k.Flag)})
			}
			switch dst := k.field(c).(type) {
			case *string:
				*dst = *k.field(&f.scratch).(*string)
			case *int:
				*dst = *k.field(&f.scratch).(*int)
			case *bool:
				*dst = *k.field(&f.scratch).(*bool)
			case *time.Duration:
				*dst = *k.field(&f.scratch).(*time.Duration)
			}
		}
	})
}

// Load builds the configuration in order: defaults, the file named by
// --config or CITEBOT_CONFIG, the environment, the flags set in f. It does
// not validate; call [Config.Validate]. [LoadSources] also says where each
// value came from.
func Load(f *Flags, getenv func(string) string) (Config, error) {
	return load(f, getenv, nil)
}

// load is Load that also calls note, unless it is nil, with the key and
// the source of every value the file, the environment or a flag sets, in
// that order, so that the last call for a key names its effective source.
func load(f *Flags, getenv func(string) string, note func(Key, Source)) (Config, error) {
	c := Default()
	path := getenv(FileEnv)
	if f != nil && f.ConfigFile != "" {
		path = f.ConfigFile
	}
	if path != "" {
		keys, err := c.loadFile(path)
		if err != nil {
			return c, err
		}
		if note != nil {
			// loadFile succeeded, so the file holds known keys only.
			for _, fk := range keys {
				if k, ok := Lookup(fk.name); ok {
					note(k, Source{Layer: "file", Name: path})
				}
			}
		}
	}
	if err := c.applyEnv(getenv, note); err != nil {
		return c, err
	}
	if f != nil {
		f.apply(&c, note)
	}
	return c, nil
}

// Lookup returns the key with the given YAML name.
func Lookup(name string) (Key, bool) {
	for _, k := range Keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

// Value returns the current value of key k in c as text, "[redacted]" for a
// set secret, and a URL with its credentials redacted (see [RedactURL]).
func (k Key) Value(c *Config) string {
	switch p := k.field(c).(type) {
	case *string:
		if k.URL {
			return RedactURL(*p)
		}
		return *p
	case *Secret:
		return p.String()
	case *int:
		return strconv.Itoa(*p)
	case *bool:
		return strconv.FormatBool(*p)
	case *time.Duration:
		return p.String()
	}
	return ""
}

func set(p any, v string) error {
	v = strings.TrimSpace(v)
	switch p := p.(type) {
	case *string:
		*p = v
	case *Secret:
		*p = Secret(v)
	case *int:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", v)
		}
		*p = n
	case *bool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*p = b
	case *time.Duration:
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 30s or 2m", v)
		}
		*p = d
	default:
		return fmt.Errorf("unsupported field type %T", p)
	}
	return nil
}
