package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"citebot/rag"
)

func runAsk(ctx context.Context, e *env, args []string) error {
	var asJSON bool
	c, err := parse(e, "ask", `[flags] "question"`, args, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print the answer as one JSON object")
	})
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
	ans, err := newAnswerer(c.cfg, ix, c.log).Answer(ctx, rag.Query{Question: question, AsOf: c.cfg.AsOfDate(time.Now()), K: c.cfg.TopK})
	if err != nil {
		if errors.Is(err, rag.ErrEmptyQuestion) || errors.Is(err, rag.ErrQuestionTooLong) {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, ans)
	}
	printAnswer(e.stdout, ans)
	return nil
}

// writeJSON prints v as one indented JSON object.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printAnswer writes an answer for a terminal: the text, then the sources.
func printAnswer(w io.Writer, a rag.Answer) {
	fmt.Fprintln(w, a.Text)
	if a.Note != "" {
		fmt.Fprintf(w, "\n(%s)\n", a.Note)
	}
	if len(a.Citations) == 0 {
		return
	}
	fmt.Fprintln(w, "\nSources:")
	for _, c := range a.Citations {
		fmt.Fprintf(w, "[%d] %s\n", c.Ref, sourceLine(c))
		fmt.Fprintf(w, "    %q\n", c.Quote)
	}
}

// sourceLine describes a citation: "Title — Outlet, 2024-10-01 (approx.) — id".
func sourceLine(c rag.Citation) string {
	parts := []string{c.Title}
	var meta []string
	if c.Source != "" {
		meta = append(meta, c.Source)
	}
	if c.Published != "" {
		d := c.Published
		if c.Approximate {
			d += " (approx.)"
		}
		meta = append(meta, d)
	}
	if len(meta) > 0 {
		parts = append(parts, strings.Join(meta, ", "))
	}
	parts = append(parts, c.ArticleID)
	if c.URL != "" {
		parts = append(parts, c.URL)
	}
	return strings.Join(parts, " — ")
}
