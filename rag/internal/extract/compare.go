package extract

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"citebot/rag/internal/index"
	"citebot/rag/internal/qa"
	"citebot/rag/internal/question"
	"citebot/rag/textutil"
	"citebot/rag/timex"
)

// A question that compares two periods ("what was the US complaining
// about in 2021 vs 2024?") is answered from each period's own articles:
// the best sentence of each, side by side, each cited.

// compareRE finds the words of a comparison.
var compareRE = regexp.MustCompile(`(?i)\b(?:compare[ds]?|comparison|comparing|vs\.?|versus|differ(?:ent|ence|ences)?|changed?|what['’]?s new|the same)\b`)

// periodSearchK is how many passages are searched in each period.
const periodSearchK = 8

// periodsOf returns the two periods a comparison question names, oldest
// first, or nil.
func periodsOf(text string, asOf time.Time) []timex.Date {
	if !compareRE.MatchString(text) {
		return nil
	}
	var ds []timex.Date
	for _, m := range timex.FindWith(text, timex.Options{Ref: asOf, Casual: true}) {
		if m.Vague || m.Date.Prec < timex.Month {
			continue
		}
		if len(ds) == 0 || !ds[len(ds)-1].Overlaps(m.Date) {
			ds = append(ds, m.Date)
		}
	}
	if len(ds) != 2 {
		return nil
	}
	if ds[1].Before(ds[0]) {
		ds[0], ds[1] = ds[1], ds[0]
	}
	return ds
}

// withoutComparison removes the words of the comparison and of its
// periods from a question, leaving what is compared.
func withoutComparison(text string, asOf time.Time) string {
	ms := timex.FindWith(text, timex.Options{Ref: asOf, Casual: true})
	for i := len(ms) - 1; i >= 0; i-- {
		text = text[:ms[i].Start] + text[ms[i].End:]
	}
	text = compareRE.ReplaceAllString(text, " ")
	return textutil.OneLine(text)
}

// periodPassages searches each period of a comparison for what is
// compared, among the articles published in it.
func (e *Extractor) periodPassages(ctx context.Context, text string, periods []timex.Date, asOf time.Time) ([][]index.Passage, error) {
	if len(periods) == 0 {
		return nil, nil
	}
	query := withoutComparison(text, asOf)
	out := make([][]index.Passage, len(periods))
	for i, p := range periods {
		until := p.To.Add(question.PeriodSlack)
		if until.After(asOf) {
			until = asOf
		}
		ps, err := e.Ix.Search(index.WithSearchTrace(ctx, nil), query, index.SearchOptions{K: periodSearchK, Since: p.From, Before: until, KeywordsOnly: true, NoRecency: true})
		if err != nil {
			return nil, err
		}
		out[i] = ps
	}
	return out, nil
}

// compare answers a comparison from the best grounded sentence of each
// period, or reports false.
func (e *Extractor) compare(r Retrieval) (qa.Answer, bool) {
	if len(r.periods) != 2 {
		return qa.Answer{}, false
	}
	read := r.Read
	read.Text = withoutComparison(read.Text, r.AsOf)
	q := e.Ix.AnalyzeReading(read)
	weights, total := e.TermWeights(q)
	var best []*candidate
	for _, ps := range r.periods {
		cands := e.candidates(q, ps, weights, total)
		c := firstGrounded(q, cands)
		if c == nil {
			return qa.Answer{}, false
		}
		best = append(best, c)
	}
	if best[0].art.ID == best[1].art.ID {
		return qa.Answer{}, false
	}
	b := NewBuilder(r)
	for i, c := range best {
		label := r.periodLabels[i]
		b.Sentence(c.art, c.start, c.end, func(s string) string {
			return fmt.Sprintf("**%s**: %s", capitalizeFirst(label), lowerFirstWord(s))
		})
	}
	return b.Answer(), true
}
