package config_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"citebot/config"
)

// TestBuiltinDefaultsArePrecedence checks the precedence default → file →
// env → flag for the defaults the container image's binary is built with
// (data_dir /data, http.addr :8080): a mounted file's values take effect.
func TestBuiltinDefaultsArePrecedence(t *testing.T) {
	defer config.SetBuiltinDefaults("/data", ":8080")()
	file := filepath.Join(t.TempDir(), "citebot.yaml")
	if err := os.WriteFile(file, []byte("data_dir: /srv/citebot\nhttp:\n  addr: 127.0.0.1:9000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"built-in defaults", nil, nil, "data_dir=/data (default) http.addr=:8080 (default)"},
		{"file over built-in defaults", map[string]string{"CITEBOT_CONFIG": file}, nil,
			"data_dir=/srv/citebot (file " + file + ") http.addr=127.0.0.1:9000 (file " + file + ")"},
		{"env over file", map[string]string{"CITEBOT_CONFIG": file, "CITEBOT_HTTP_ADDR": ":7000"}, nil,
			"data_dir=/srv/citebot (file " + file + ") http.addr=:7000 (env CITEBOT_HTTP_ADDR)"},
		{"flag over env", map[string]string{"CITEBOT_CONFIG": file, "CITEBOT_DATA_DIR": "/env"}, []string{"--data", "/flag"},
			"data_dir=/flag (flag --data) http.addr=127.0.0.1:9000 (file " + file + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			f := config.RegisterFlags(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			c, src, err := config.LoadSources(f, envFunc(tt.env))
			if err != nil {
				t.Fatalf("LoadSources: %v", err)
			}
			got := fmt.Sprintf("data_dir=%s (%s) http.addr=%s (%s)", c.DataDir, src["data_dir"], c.HTTP.Addr, src["http.addr"])
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestEnvOverridingFileIsRecorded(t *testing.T) {
	file := filepath.Join(t.TempDir(), "citebot.yaml")
	if err := os.WriteFile(file, []byte("data_dir: /srv/citebot\ntop_k: 7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CITEBOT_CONFIG": file, "CITEBOT_DATA_DIR": "/from-env", "CITEBOT_LOG_LEVEL": "debug"}
	_, src, err := config.LoadSources(nil, envFunc(env))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ key, want string }{
		{"data_dir", "file " + file}, // the env beat the file: say so
		{"log.level", ""},            // the file did not set it
		{"top_k", ""},                // the file's value stands
	}
	for _, tt := range tests {
		if got := src[tt.key].Overrides; got != tt.want {
			t.Errorf("%s: Overrides %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestInvalidKeys(t *testing.T) {
	c := config.Default()
	c.TopK = 0
	c.Log.Format = "xml"
	c.HTTP.Addr = "nowhere"
	got := config.InvalidKeys(c.Validate())
	if want := []string{"top_k", "log.format", "http.addr"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := config.InvalidKeys(config.Default().Validate()); got != nil {
		t.Errorf("defaults: got %q, want none", got)
	}
}

func TestNoColor(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want bool
	}{
		{nil, false},
		{map[string]string{"NO_COLOR": ""}, false}, // set but empty: colour stays on
		{map[string]string{"NO_COLOR": "1"}, true},
		{map[string]string{"NO_COLOR": "0"}, true}, // any value, even "0" or "false"
		{map[string]string{"NO_COLOR": "false"}, true},
	}
	for _, tt := range tests {
		if got := config.NoColor(envFunc(tt.env)); got != tt.want {
			t.Errorf("NoColor with %v: got %v, want %v", tt.env, got, tt.want)
		}
	}
}
