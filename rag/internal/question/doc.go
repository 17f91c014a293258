// Package question analyses a user's question for the extractive
// answerer: what kind of answer it asks for (who, when, where, how many …),
// its index terms and key entities, the period it is about, its focus and
// preamble, and whether it is negated or asks yes or no. It also holds the
// tests a candidate sentence or span must pass against that analysis
// (TypeFit, AnswersType, NovelName, Contradicts …) and the date and name
// patterns they share with package rag.
package question
