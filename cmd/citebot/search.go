package main

import (
	"context"
	"fmt"
	"strings"

	"citebot/rag"
	"citebot/rag/textutil"
)

// searchResult is one passage in `search --json` output.
type searchResult struct {
	Rank      int     `json:"rank"`
	ArticleID string  `json:"article_id"`
	ChunkID   string  `json:"chunk_id"`
	Title     string  `json:"title"`
	Published string  `json:"published"`
	Score     float64 `json:"score"`
	Lexical   float64 `json:"lexical"`
	Vector    float64 `json:"vector"`
	Start     int     `json:"start"`
	End       int     `json:"end"`
	Text      string  `json:"text"`
}

func runSearch(ctx context.Context, e *env, args []string) error {
	c, asJSON, filter, err := parseFiltered(e, "search", `[flags] "query"`, args, "print the passages as a JSON array")
	if err != nil {
		return err
	}
	query, err := rag.NormalizeQuestion(strings.Join(c.args, " "))
	if err != nil {
		return fmt.Errorf("%w: search needs a query: %v", errUsage, err)
	}
	ix, _, err := openIndex(ctx, c.cfg, c.log, nil)
	if err != nil {
		return err
	}
	ps, err := ix.Search(ctx, query, rag.SearchOptions{K: c.cfg.TopK, Before: c.asOf(), Filter: filter})
	if err != nil {
		return err
	}
	out := make([]searchResult, 0, len(ps))
	for i, p := range ps {
		out = append(out, searchResult{
			Rank: i + 1, ArticleID: p.ArticleID, ChunkID: p.ID, Title: p.Title, Published: p.Article.PublishedString(),
			Score: round3(p.Score), Lexical: round3(p.Lexical), Vector: round3(p.Vector), Start: p.Start, End: p.End, Text: p.Text,
		})
	}
	if asJSON {
		return writeJSON(e.stdout, out)
	}
	if len(out) == 0 {
		fmt.Fprintln(e.stdout, "No passages found.")
	}
	for _, r := range out {
		date := r.Published
		if date == "" {
			date = "undated"
		}
		fmt.Fprintf(e.stdout, "%d. %.3f (bm25 %.2f, cosine %.3f)  %s — %s  [%s]\n   %s\n\n",
			r.Rank, r.Score, r.Lexical, r.Vector, r.Title, date, r.ChunkID, textutil.Shorten(r.Text, 300))
	}
	return nil
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }
