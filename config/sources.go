package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Source says where the effective value of a key came from.
type Source struct {
	// Layer is "default", "file", "env" or "flag".
	Layer string
	// Name is the file path, the environment variable or the flag (with its
	// dashes); empty for a default.
	Name string
	// Overrides is the file source whose value this environment variable
	// replaced, e.g. "file /config/citebot.yaml"; empty when the file did
	// not set the key, or for other layers.
	Overrides string
}

// String returns e.g. "default", "env CITEBOT_TOP_K" or "flag --chat-model".
func (s Source) String() string {
	if s.Name == "" {
		return s.Layer
	}
	return s.Layer + " " + s.Name
}

// LoadSources builds the configuration in order (defaults, the file named
// by --config or CITEBOT_CONFIG, the environment, the flags set in f) and
// reports, for every key of [Keys] by its name, where its effective value
// came from. An environment variable that replaces a value the file set
// has [Source.Overrides] naming the file. It does not validate; call
// [Config.Validate].
func LoadSources(f *Flags, getenv func(string) string) (Config, map[string]Source, error) {
	src := make(map[string]Source, len(Keys))
	for _, k := range Keys {
		src[k.Name] = Source{Layer: "default"}
	}
	c, err := load(f, getenv, func(k Key, s Source) {
		if prev := src[k.Name]; s.Layer == "env" && prev.Layer == "file" {
			s.Overrides = prev.String()
		}
		src[k.Name] = s
	})
	return c, src, err
}

// flagName writes a flag as users type it: -k, --chat-model.
func flagName(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// fileKey is a key found in a configuration file, with its line.
type fileKey struct {
	name string // dotted, e.g. "openai.chat_model"
	line int
	// section reports a mapping (e.g. "openai:") rather than a value.
	section bool
	// set reports a value other than the empty string or null.
	set bool
}

// fileKeys lists the keys of a parsed YAML document, depth first, as
// dotted names.
func fileKeys(doc *yaml.Node) []fileKey {
	var out []fileKey
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
			walk(n.Content[0], prefix)
			return
		}
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			name := k.Value
			if prefix != "" {
				name = prefix + "." + name
			}
			set := v.Kind != yaml.ScalarNode || (v.Value != "" && v.Tag != "!!null")
			out = append(out, fileKey{name: name, line: k.Line, section: v.Kind == yaml.MappingNode, set: set})
			if v.Kind == yaml.MappingNode {
				walk(v, name)
			}
		}
	}
	walk(doc, "")
	return out
}

// unknownKeys returns an error naming every key of keys (those of the file
// at path) that is not in [Keys], with its line and the likeliest intended
// key. Section keys ("openai:") are known when some key lives under them.
func unknownKeys(path string, keys []fileKey) error {
	sections := map[string]bool{}
	names := make([]string, 0, len(Keys))
	for _, k := range Keys {
		names = append(names, k.Name)
		if i := strings.LastIndex(k.Name, "."); i > 0 {
			sections[k.Name[:i]] = true
		}
	}
	var errs []error
	for _, fk := range keys {
		if _, ok := Lookup(fk.name); ok && !fk.section {
			continue
		}
		if sections[fk.name] && fk.section {
			continue
		}
		if parent := fk.name[:max(strings.LastIndex(fk.name, "."), 0)]; parent != "" && !sections[parent] {
			continue // reported with its unknown parent
		}
		msg := fmt.Sprintf("config file %s: line %d: unknown key %q", path, fk.line, fk.name)
		if _, ok := Lookup(fk.name); ok || sections[fk.name] {
			msg = fmt.Sprintf("config file %s: line %d: %q has the wrong shape (a section holds keys, a key holds a value)", path, fk.line, fk.name)
		} else if s := suggest(fk.name, names); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		errs = append(errs, errors.New(msg))
	}
	return errors.Join(errs...)
}

// suggest returns the known name closest to name, or "" when none is
// close: a small edit distance, or the same last part in another section
// (guild_id for discord.guild_id).
func suggest(name string, known []string) string {
	best, bestD := "", 3
	leaf := name[strings.LastIndex(name, ".")+1:]
	for _, k := range known {
		if k[strings.LastIndex(k, ".")+1:] == leaf {
			return k
		}
		if d := editDistance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// WriteYAML writes the configuration c as YAML: every key of [Keys], in
// sections, each value followed by a comment saying where it came from
// (when src has the key). Secrets appear as "[redacted]", or "" with the
// comment "not set"; their values are never written, and nor are the
// credentials in a URL (see [RedactURL]). Reading the output back gives c
// again, but for the secrets and those credentials.
func WriteYAML(w io.Writer, c Config, src map[string]Source) error {
	root := &yaml.Node{Kind: yaml.MappingNode}
	sections := map[string]*yaml.Node{}
	for _, k := range Keys {
		parent, leaf := root, k.Name
		if i := strings.LastIndex(k.Name, "."); i > 0 {
			sec := k.Name[:i]
			leaf = k.Name[i+1:]
			if sections[sec] == nil {
				sections[sec] = &yaml.Node{Kind: yaml.MappingNode}
				root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: sec}, sections[sec])
			}
			parent = sections[sec]
		}
		val := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k.Value(&c)}
		switch k.field(&c).(type) {
		case *int:
			val.Tag = "!!int"
		case *bool:
			val.Tag = "!!bool"
		}
		var notes []string
		if s, ok := src[k.Name]; ok {
			notes = append(notes, s.String())
			if s.Overrides != "" {
				notes = append(notes, "overrides "+s.Overrides)
			}
		}
		if k.Secret && val.Value == "" {
			notes = append(notes, "not set")
		}
		val.LineComment = strings.Join(notes, ", ")
		parent.Content = append(parent.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: leaf}, val)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return fmt.Errorf("write configuration: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("write configuration: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
