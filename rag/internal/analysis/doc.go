// Package analysis turns English text into what retrieval and answering
// compare: words as tokens with their index terms (Snowball stems, stop
// words dropped, "United States" joined to "us", irregular verbs mapped to
// their base form), general-English synonyms of a term, and sentences as
// byte spans. It knows nothing of the index or of questions; package rag
// and its index build on it.
package analysis
