// Package followup reads a question asked after earlier turns of a
// conversation against them ([Conversation]): it decides whether the
// question is a follow-up, rewrites it to stand alone from the last
// answered turn ("and where?" → "where did Biden and Xi last meet?"),
// answers the kinds a rewrite cannot (what was going on at the time, where
// or when words were spoken, why it matters, what others said) from the
// last answer's articles, and tells "he" from "she" by the pronoun the
// articles use after a name. The single questions it produces are
// answered by package extract; package rag wires both behind
// rag.Extractive and the model-backed answerer.
package followup
