package feedback_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"citebot/bot/feedback"
)

func TestRecordReadLatest(t *testing.T) {
	dir := t.TempDir()
	l, err := feedback.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	votes := []feedback.Vote{
		{Time: time.Now(), AnswerID: "a1", Vote: feedback.Up, UserID: "user-ann"},
		{Time: time.Now(), AnswerID: "a1", Vote: feedback.Down, Previous: feedback.Up, UserID: "user-ann"},
		{Time: time.Now(), AnswerID: "a1", Vote: feedback.Up, UserID: "user-bob"},
	}
	for _, v := range votes {
		if err := l.Record(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(l.Path())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "user-ann") || strings.Contains(string(data), "user-bob") {
		t.Errorf("the log holds a raw user id:\n%s", data)
	}
	recs, warns, err := feedback.Read(strings.NewReader(string(data)+"not json\n{\"answer_id\":\"a2\",\"vote\":\"sideways\"}\n"), "feedback.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || len(warns) != 2 {
		t.Fatalf("got %d records and warnings %v, want 3 records and 2 warnings", len(recs), warns)
	}
	if !strings.HasPrefix(warns[0].Error(), "feedback.jsonl:4:") || !strings.HasPrefix(warns[1].Error(), "feedback.jsonl:5:") {
		t.Errorf("warnings %v do not name their lines", warns)
	}
	latest := feedback.Latest(recs)
	if len(latest) != 2 || latest[0].Vote != feedback.Down || latest[0].User != l.HashUser("user-ann") || latest[1].User != l.HashUser("user-bob") {
		t.Errorf("got latest %+v, want user-ann's changed vote (down) and user-bob's", latest)
	}
}

func TestSaltIsKeptAndChecked(t *testing.T) {
	dir := t.TempDir()
	l1, err := feedback.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	l2, err := feedback.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if l1.HashUser("user-ann") != l2.HashUser("user-ann") {
		t.Error("reopening the log changed the user hashes")
	}
	salt := filepath.Join(dir, feedback.SaltFile)
	if fi, err := os.Stat(salt); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("salt file: %v, %v; want mode 0600", fi, err)
	}
	if err := os.WriteFile(salt, []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := feedback.Open(dir); err == nil || errors.Is(err, os.ErrNotExist) {
		t.Errorf("a broken salt file: got %v, want an error saying so", err)
	}
}
