package jsonl_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"

	"citebot/rag/jsonl"
)

type rec struct {
	ID string `json:"id"`
	N  int    `json:"n"`
}

// TestRead checks that good lines are read, bad ones become warnings that
// name the line, blank lines are skipped and check may change or reject a
// value.
func TestRead(t *testing.T) {
	in := strings.Join([]string{
		`{"id": "a", "n": 1}`,
		``,
		`{"id": "b", "n": `,
		`{"n": 3}`,
		`   `,
		`{"id": "d", "n": -1}`,
	}, "\n")
	check := func(line int, r *rec) error {
		if r.ID == "" {
			r.ID = fmt.Sprintf("line%d", line)
		}
		if r.N < 0 {
			return errors.New("n must not be negative")
		}
		return nil
	}
	got, warnings, err := jsonl.Read(strings.NewReader(in), "set.jsonl", check)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if want := []rec{{"a", 1}, {"line4", 3}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	var ws []string
	for _, w := range warnings {
		ws = append(ws, w.Error())
	}
	if len(ws) != 2 || !strings.HasPrefix(ws[0], "set.jsonl:3: invalid JSON") || ws[1] != "set.jsonl:6: n must not be negative" {
		t.Errorf("got warnings %q, want line 3 invalid JSON and line 6 rejected", ws)
	}
}

// TestReadFailingReader checks that a reader's failure is an error that
// names the file, with what was read before it.
func TestReadFailingReader(t *testing.T) {
	r := iotest.TimeoutReader(strings.NewReader(`{"id": "a"}` + "\n" + `{"id": "b"}` + "\n"))
	_, _, err := jsonl.Read[rec](r, "x.jsonl", nil)
	if err == nil || !strings.Contains(err.Error(), "read x.jsonl") {
		t.Errorf("got %v, want an error naming x.jsonl", err)
	}
}
