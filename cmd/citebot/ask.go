package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"

	"citebot/config"
	"citebot/rag"
)

func runAsk(ctx context.Context, e *env, args []string) error {
	c, asJSON, filter, err := parseFiltered(e, "ask", `[flags] "question"`, args, "print the answer as one JSON object")
	if err != nil {
		return err
	}
	question := strings.Join(c.args, " ")
	if strings.TrimSpace(question) == "" {
		return fmt.Errorf(`%w: ask needs a question, e.g. citebot ask "when did Biden and Xi last speak?"`, errUsage)
	}
	// Check the question before loading anything.
	if _, err := rag.NormalizeQuestion(question); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	ix, _, err := openIndex(ctx, c.cfg, c.log, nil)
	if err != nil {
		return err
	}
	q := rag.Query{Question: question, AsOf: c.asOf(), K: c.cfg.TopK, Filter: filter}
	// On a terminal a model's answer is shown as it is generated, then
	// replaced by the verified answer; see streamPrinter.
	var sp *streamPrinter
	log := c.log
	if !asJSON && c.cfg.ModelBacked() && isTerminal(e.stdout) {
		sp = &streamPrinter{w: e.stdout}
		q.OnDelta = sp.delta
		// A warning while streaming starts on a line of its own.
		log = newLogger(lineBreakWriter{sp, e.stderr}, c.cfg.Log)
	}
	ans, err := newAnswerer(c.cfg, ix, log).Answer(ctx, q)
	if sp != nil {
		sp.end(ans, err)
	}
	if err != nil {
		if errors.Is(err, rag.ErrEmptyQuestion) || errors.Is(err, rag.ErrQuestionTooLong) {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		if nm := (*rag.NoMatchError)(nil); errors.As(err, &nm) {
			return nm // "no articles from Reuters before 2022", without the layers
		}
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, ans)
	}
	if sp != nil && sp.shown {
		printSources(e.stdout, ans)
		return nil
	}
	printAnswer(e.stdout, ans, e.styled(e.stdout))
	return nil
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// streamPrinter shows a model's answer on a terminal while it is being
// generated. The streamed text is unverified, so when it ends: if it is
// exactly the verified answer, it stays and only the sources follow
// (shown is true); otherwise a rule line follows and the verified answer
// is printed in full below it, so that what the user reads last is always
// the checked answer.
type streamPrinter struct {
	mu    sync.Mutex
	w     io.Writer
	text  strings.Builder
	open  bool // a streamed line is not yet ended
	shown bool
}

// streamRule separates a streamed draft from the verified answer.
const streamRule = "──── verified answer ────"

func (p *streamPrinter) delta(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.text.WriteString(s)
	fmt.Fprint(p.w, s)
	p.open = !strings.HasSuffix(s, "\n")
}

// breakLine ends an open streamed line.
func (p *streamPrinter) breakLine() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
}

// lineBreakWriter writes log lines after ending the streamed line.
type lineBreakWriter struct {
	p *streamPrinter
	w io.Writer
}

func (l lineBreakWriter) Write(b []byte) (int, error) {
	l.p.breakLine()
	return l.w.Write(b)
}

// end finishes the streamed text once the answer (or an error) is known.
func (p *streamPrinter) end(a rag.Answer, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.text.Len() == 0 {
		return
	}
	if err != nil {
		fmt.Fprintln(p.w)
		return
	}
	if a.Mode == rag.ModeLLM && !a.NotFound && strings.TrimSpace(p.text.String()) == a.Text {
		fmt.Fprintln(p.w)
		p.shown = true
		return
	}
	fmt.Fprintf(p.w, "\n\n%s\n", streamRule)
}

// writeJSON prints v as one indented JSON object.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printAnswer writes an answer for people: the text, then the sources. The
// Markdown emphasis of the answer span ("**April 2024**") becomes bold when
// styled (see env.styled) and is dropped otherwise.
func printAnswer(w io.Writer, a rag.Answer, styled bool) {
	if a.Chitchat {
		fmt.Fprintln(w, "(nothing to answer)")
		return
	}
	fmt.Fprintln(w, emphasis(a.Text, styled))
	printSources(w, a)
}

// styled reports whether output to w may carry ANSI styling: w is a
// terminal and NO_COLOR is not set to a value (https://no-color.org).
func (e *env) styled(w io.Writer) bool {
	return isTerminal(w) && !config.NoColor(e.getenv)
}

var boldRE = regexp.MustCompile(`\*\*([^*\n]+)\*\*`)

// emphasis renders **text** as ANSI bold when styled, as plain text otherwise.
func emphasis(s string, styled bool) string {
	if styled {
		return boldRE.ReplaceAllString(s, "\x1b[1m$1\x1b[0m")
	}
	return boldRE.ReplaceAllString(s, "$1")
}

// printSources writes an answer's note and sources.
func printSources(w io.Writer, a rag.Answer) {
	if a.Note != "" {
		fmt.Fprintf(w, "\n(%s)\n", a.Note)
	}
	if len(a.Citations) == 0 {
		return
	}
	fmt.Fprintln(w, "\nSources:")
	for _, c := range a.Citations {
		fmt.Fprintf(w, "[%d] %s\n", c.Ref, c)
		fmt.Fprintf(w, "    %q\n", c.Quote)
	}
}
