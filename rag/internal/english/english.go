// Package english knows which words are English: the 75,000 lower-case
// words of SCOWL's American and British word lists (Debian's wamerican
// and wbritish 2020.12.07, possessives left out), so that a spelling
// corrector changes "durng" but never "exploration". See LICENSE for the
// lists' terms.
package english

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strings"
	"sync"
)

//go:embed words.txt.gz
var wordsGz []byte

var words = sync.OnceValue(func() map[string]struct{} {
	zr, err := gzip.NewReader(bytes.NewReader(wordsGz))
	if err != nil {
		panic("english: embedded word list: " + err.Error())
	}
	m := make(map[string]struct{}, 76000)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		m[sc.Text()] = struct{}{}
	}
	if err := sc.Err(); err != nil {
		panic("english: embedded word list: " + err.Error())
	}
	return m
})

// IsWord reports whether w, in any case, is an English word of the list.
// The list is loaded on first use (about 10 ms).
func IsWord(w string) bool {
	_, ok := words()[strings.ToLower(w)]
	return ok
}

// Len returns the number of words in the list.
func Len() int { return len(words()) }
