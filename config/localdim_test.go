package config_test

import (
	"strings"
	"testing"

	"citebot/config"
)

func TestLocalDim(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    int
		invalid bool
	}{
		{"default", nil, 512, false},
		{"from the environment", map[string]string{"CITEBOT_LOCAL_DIM": "256"}, 256, false},
		{"smallest", map[string]string{"CITEBOT_LOCAL_DIM": "64"}, 64, false},
		{"too small", map[string]string{"CITEBOT_LOCAL_DIM": "32"}, 32, true},
		{"too large", map[string]string{"CITEBOT_LOCAL_DIM": "5000"}, 5000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := config.LoadSources(nil, envFunc(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if c.LocalDim != tt.want {
				t.Errorf("got local_dim %d, want %d", c.LocalDim, tt.want)
			}
			err = c.Validate()
			if got := err != nil && strings.Contains(err.Error(), "local_dim"); got != tt.invalid {
				t.Errorf("Validate: got %v, want an error naming local_dim: %v", err, tt.invalid)
			}
		})
	}
}

func TestVectorsInMemory(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    bool
		wantErr bool
	}{
		{"default: mapped", nil, false, false},
		{"from the environment", map[string]string{"CITEBOT_VECTORS_IN_MEMORY": "true"}, true, false},
		{"not a boolean", map[string]string{"CITEBOT_VECTORS_IN_MEMORY": "sometimes"}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := config.LoadSources(nil, envFunc(tt.env))
			if (err != nil) != tt.wantErr {
				t.Fatalf("LoadSources: got %v, want an error: %v", err, tt.wantErr)
			}
			if err == nil && c.VectorsInMemory != tt.want {
				t.Errorf("got vectors_in_memory %v, want %v", c.VectorsInMemory, tt.want)
			}
			if tt.wantErr && !strings.Contains(err.Error(), "CITEBOT_VECTORS_IN_MEMORY") {
				t.Errorf("error %q does not name CITEBOT_VECTORS_IN_MEMORY", err)
			}
		})
	}
}
