package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"citebot/rag"
)

// maxChatTurns bounds the turns a chat keeps as history; the answerers use
// only the last few.
const maxChatTurns = 10

// chatHelp is printed at the start of a chat on a terminal.
const chatHelp = "Ask a question; follow-ups are read in the conversation. /new starts over; Ctrl-D or Ctrl-C ends."

func runChat(ctx context.Context, e *env, args []string) error {
	var asJSON bool
	c, err := parse(e, "chat", "[flags]\n\nA conversation in the terminal: each line of input is a turn, answered with\nthe earlier turns as context (\"and where was that?\"). A line \"/new\" starts a\nnew conversation; end of input or Ctrl-C ends it.", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print each answer as one JSON object")
	})
	if err != nil {
		return err
	}
	if len(c.args) > 0 {
		return fmt.Errorf("%w: chat takes no arguments; type the questions once it starts", errUsage)
	}
	ix, _, err := openIndex(ctx, c.cfg, c.log, nil)
	if err != nil {
		return err
	}
	a := newAnswerer(c.cfg, ix, c.log)
	terminal := isTerminal(e.stdout)
	prompt := func() {
		if terminal {
			fmt.Fprint(e.stdout, "> ")
		}
	}
	if terminal {
		fmt.Fprintln(e.stdout, chatHelp)
	}
	lines := readLines(ctx, e.stdin)
	var history []rag.Turn
	for {
		prompt()
		var line string
		select {
		case <-ctx.Done():
			if terminal {
				fmt.Fprintln(e.stdout)
			}
			return nil // Ctrl-C ends the conversation
		case l, ok := <-lines:
			if !ok || l.err != nil {
				if terminal {
					fmt.Fprintln(e.stdout)
				}
				return l.err
			}
			line = l.text
		}
		switch line {
		case "":
			continue
		case "/new":
			history = nil
			if !asJSON {
				fmt.Fprintln(e.stdout, "(new conversation)")
			}
			continue
		}
		q := rag.Query{Question: line, AsOf: c.asOf(), K: c.cfg.TopK, History: history}
		ans, err := a.Answer(ctx, q)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, rag.ErrEmptyQuestion) || errors.Is(err, rag.ErrQuestionTooLong):
			fmt.Fprintf(e.stderr, "citebot: %v\n", err)
			continue
		case err != nil:
			return err
		}
		history = append(history, rag.Turn{Question: line, Answer: ans})
		if len(history) > maxChatTurns {
			history = history[len(history)-maxChatTurns:]
		}
		if asJSON {
			if err := writeJSON(e.stdout, ans); err != nil {
				return err
			}
			continue
		}
		printTurn(e.stdout, ans, e.styled(e.stdout))
	}
}

// printTurn writes one answer of a chat: nothing but a short note for a
// message that asks nothing, else the answer, the question as it was
// read when it was a follow-up, and the sources.
func printTurn(w io.Writer, a rag.Answer, styled bool) {
	if a.Chitchat {
		printAnswer(w, a, styled)
		return
	}
	fmt.Fprintln(w, emphasis(a.Text, styled))
	if a.Resolved != "" {
		fmt.Fprintf(w, "Answered as: %s\n", a.Resolved)
	}
	printSources(w, a)
	fmt.Fprintln(w)
}

// line is one line of input, or the error that ended the input.
type line struct {
	text string
	err  error
}

// readLines sends the lines of r, trimmed, until r ends; the channel is
// then closed after a final value carrying the read error, if any. It
// stops early when ctx ends (a read in progress cannot be interrupted and
// finishes in the background).
func readLines(ctx context.Context, r io.Reader) <-chan line {
	ch := make(chan line)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 4096), 64<<10)
		for sc.Scan() {
			select {
			case ch <- line{text: strings.TrimSpace(sc.Text())}:
			case <-ctx.Done():
				return
			}
		}
		if err := sc.Err(); err != nil {
			select {
			case ch <- line{err: fmt.Errorf("read input: %w", err)}:
			case <-ctx.Done():
			}
		}
	}()
	return ch
}
