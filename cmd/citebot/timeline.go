package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"citebot/rag"
)

func runTimeline(ctx context.Context, e *env, args []string) error {
	c, asJSON, filter, err := parseFiltered(e, "timeline", `[flags] "topic"`+"\n\nThe dated events the articles report on a topic, oldest first, one line each\n(date, a line from the sentence, citations); planned events are marked \"planned:\".", args, "print the timeline as one JSON object")
	if err != nil {
		return err
	}
	topic := strings.Join(c.args, " ")
	if _, err := rag.NormalizeQuestion(topic); err != nil {
		return fmt.Errorf(`%w: timeline needs a topic, e.g. citebot timeline "Biden Xi calls and meetings": %v`, errUsage, err)
	}
	ix, _, err := openIndex(ctx, c.cfg, c.log, nil)
	if err != nil {
		return err
	}
	tl, err := ix.Timeline(ctx, rag.TimelineQuery{Topic: topic, AsOf: c.asOf(), Filter: filter})
	if errors.Is(err, rag.ErrEmptyQuestion) || errors.Is(err, rag.ErrQuestionTooLong) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, tl)
	}
	fmt.Fprint(e.stdout, tl.String())
	return nil
}
