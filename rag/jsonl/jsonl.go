// Package jsonl reads JSON Lines files (one JSON object a line) that
// people write by hand or that grow by appending: question sets for
// evaluation, the feedback log. A line that is not valid, or that the
// caller rejects, becomes a warning naming the file and line, and the
// rest is still read; only a failing reader is an error. Blank lines are
// skipped; a line may be up to 16 MiB long.
package jsonl

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// maxLine is the longest line read, in bytes.
const maxLine = 16 << 20

// Read decodes every non-blank line of r into a T. check, if not nil, is
// called with the 1-based line number and the decoded value; it may
// change the value, and a non-nil error it returns turns the line into a
// warning ("name:line: error") instead of a value. name names r in
// warnings and errors.
func Read[T any](r io.Reader, name string, check func(line int, v *T) error) (vs []T, warnings []error, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), maxLine)
	for line := 1; sc.Scan(); line++ {
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			warnings = append(warnings, fmt.Errorf("%s:%d: invalid JSON: %w", name, line, err))
			continue
		}
		if check != nil {
			if err := check(line, &v); err != nil {
				warnings = append(warnings, fmt.Errorf("%s:%d: %w", name, line, err))
				continue
			}
		}
		vs = append(vs, v)
	}
	if err := sc.Err(); err != nil {
		return vs, warnings, fmt.Errorf("read %s: %w", name, err)
	}
	return vs, warnings, nil
}
