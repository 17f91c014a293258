// Package state keeps the little the bot remembers across restarts (when
// it last identified, failed starts, the scopes it registered commands
// in) in a JSON file written atomically, or in memory without a directory.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Persisted is the content of the state file.
type Persisted struct {
	// Failures counts the starts in a row that did not end in a clean
	// shutdown or a stable run; LastStart is when the last one began.
	Failures  int       `json:"failures"`
	LastStart time.Time `json:"last_start"`
	// LastIdentify is when the bot last sent IDENTIFY.
	LastIdentify time.Time `json:"last_identify"`
	// CommandScopes are where the bot's commands are registered: "global"
	// and guild ids.
	CommandScopes []string `json:"command_scopes,omitempty"`
}

// Store reads and writes the state file; with no directory it keeps the
// state in memory only. It is safe for concurrent use.
type Store struct {
	path string // empty: memory only

	mu sync.Mutex
	st Persisted
}

// Open loads the state from file name in dir (a missing file is a fresh
// start; an unreadable one is reported and replaced).
func Open(dir, name string) (*Store, error) {
	s := &Store{}
	if dir == "" {
		return s, nil
	}
	s.path = filepath.Join(dir, name)
	data, err := os.ReadFile(s.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return s, nil
	case err != nil:
		return s, fmt.Errorf("read %s: %w", s.path, err)
	}
	if err := json.Unmarshal(data, &s.st); err != nil {
		s.st = Persisted{}
		return s, fmt.Errorf("read %s: %w (starting afresh)", s.path, err)
	}
	return s, nil
}

// Get returns a copy of the state.
func (s *Store) Get() Persisted {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	st.CommandScopes = append([]string(nil), s.st.CommandScopes...)
	return st
}

// Update changes the state and writes it (atomically: a temporary file
// renamed over the old one).
func (s *Store) Update(change func(*Persisted)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	change(&s.st)
	if s.path == "" {
		return nil
	}
	data, err := json.MarshalIndent(s.st, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o755); err != nil {
		return fmt.Errorf("save %s: %w", s.path, err)
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("save %s: %w", s.path, err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save %s: %w", s.path, err)
	}
	return nil
}
