// Package reading reads a question as people type it in chat before it is
// looked up: chat spellings and contractions expanded from a fixed table
// of general English, filler words dropped, a few idioms put plainly
// ("call off" → "cancel"), typos corrected towards words the corpus uses
// (a word the corpus uses is never changed, names included), instructions
// to the bot set aside, and acronyms the articles spell out expanded. A
// [Reader] does it against an index; the [Reading] it returns is what the
// answerers of package rag search for and analyse.
package reading
