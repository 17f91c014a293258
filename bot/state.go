package bot

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

// StateFile is the name of the file, in Options.StateDir, where the bot
// keeps what must outlive a restart: when it last identified, how many
// starts in a row failed (for the restart backoff), and where its slash
// commands are registered.
const StateFile = "discord-state.json"

// persisted is the content of StateFile.
type persisted struct {
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

// stateStore reads and writes StateFile; with no directory it keeps the
// state in memory only. It is safe for concurrent use.
type stateStore struct {
	path string // empty: memory only

	mu sync.Mutex
	st persisted
}

// openState loads the state from file name in dir (a missing file is a fresh start; an
// unreadable one is reported and replaced).
func openState(dir, name string) (*stateStore, error) {
	s := &stateStore{}
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
		s.st = persisted{}
		return s, fmt.Errorf("read %s: %w (starting afresh)", s.path, err)
	}
	return s, nil
}

// get returns a copy of the state.
func (s *stateStore) get() persisted {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	st.CommandScopes = append([]string(nil), s.st.CommandScopes...)
	return st
}

// update changes the state and writes it (atomically: a temporary file
// renamed over the old one).
func (s *stateStore) update(change func(*persisted)) error {
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

// save is update that logs a failure instead of returning it: the state
// only makes restarts gentler.
func (b *Bot) save(change func(*persisted)) {
	if err := b.state.update(change); err != nil {
		b.log.Warn("could not save the bot's state", "error", err.Error())
	}
}
