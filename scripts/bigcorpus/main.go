// Command bigcorpus writes a large benchmark corpus for citebot: n copies
// of an articles JSONL file (the shared news-dev set), each copy with its
// articles' paragraphs shuffled and a line added, so that no two articles
// are identical: n = 31 copies of news-dev's 2,489 articles make about
// 77,000 articles and 1.5 million passages. It is a benchmark helper, not
// part of citebot (scripts/bench-large.sh runs it).
//
//	go run ./scripts/bigcorpus -in ../shared/eval/news-dev/articles.jsonl -n 20 -out /tmp/big.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
)

type article struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Source    string `json:"source"`
	URL       string `json:"url"`
	Published string `json:"published"`
	Text      string `json:"text"`
}

func main() {
	in := flag.String("in", "", "articles JSONL file to copy (required)")
	n := flag.Int("n", 20, "copies to write, at least 1")
	out := flag.String("out", "", "file to write (required)")
	seed := flag.Uint64("seed", 1, "seed of the shuffles")
	flag.Parse()
	if *in == "" || *out == "" || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: bigcorpus -in ARTICLES.jsonl -out FILE [-n 20] [-seed 1]")
		os.Exit(2)
	}
	if err := run(*in, *out, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "bigcorpus:", err)
		os.Exit(1)
	}
}

func run(in, out string, n int, seed uint64) error {
	arts, err := read(in)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	r := rand.New(rand.NewPCG(seed, 7))
	for c := range n {
		for _, a := range arts {
			paras := strings.Split(a.Text, "\n\n")
			r.Shuffle(len(paras), func(i, j int) { paras[i], paras[j] = paras[j], paras[i] })
			a.ID = fmt.Sprintf("%s-c%03d", a.ID, c)
			a.Text = strings.Join(paras, "\n\n") + fmt.Sprintf("\n\nBenchmark copy %d of %s.", c+1, a.ID)
			if err := enc.Encode(a); err != nil {
				f.Close()
				return err
			}
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Printf("wrote %d articles to %s\n", n*len(arts), out)
	return nil
}

func read(path string) ([]article, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var arts []article
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 64<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var a article
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		arts = append(arts, a)
	}
	return arts, sc.Err()
}
