package state_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"citebot/bot/internal/state"
)

func TestStateOutlivesTheStore(t *testing.T) {
	dir := t.TempDir()
	s, err := state.Open(dir, "state.json")
	if err != nil {
		t.Fatalf("a missing file: %v, want a fresh start", err)
	}
	when := time.Date(2024, 10, 1, 12, 0, 0, 0, time.UTC)
	if err := s.Update(func(p *state.Persisted) { p.Failures, p.LastIdentify, p.CommandScopes = 2, when, []string{"global"} }); err != nil {
		t.Fatal(err)
	}
	got := s.Get()
	got.CommandScopes[0] = "changed" // Get returns a copy
	again, err := state.Open(dir, "state.json")
	if err != nil {
		t.Fatal(err)
	}
	st := again.Get()
	if st.Failures != 2 || !st.LastIdentify.Equal(when) || !slices.Equal(st.CommandScopes, []string{"global"}) {
		t.Errorf("got %+v after reopening, want what was saved", st)
	}
	if fi, err := os.Stat(filepath.Join(dir, "state.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file: %v, %v; want mode 0600", fi, err)
	}
}

func TestBrokenStateStartsAfresh(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := state.Open(dir, "state.json")
	if err == nil {
		t.Error("a broken file gave no error")
	}
	if st := s.Get(); st.Failures != 0 || !st.LastIdentify.IsZero() {
		t.Errorf("got %+v, want a fresh state", st)
	}
}

func TestMemoryOnly(t *testing.T) {
	s, err := state.Open("", "state.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(p *state.Persisted) { p.Failures = 1 }); err != nil {
		t.Fatal(err)
	}
	if got := s.Get().Failures; got != 1 {
		t.Errorf("got %d failures, want 1", got)
	}
}
