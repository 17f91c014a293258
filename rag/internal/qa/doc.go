// Package qa holds what every answerer of package rag shares: the
// question as asked ([Query], with its conversation's earlier [Turn]s),
// the cited [Answer] with its [Citation]s, the sentinel errors of a
// question that cannot be asked, the normalisation of user input
// ([NormalizeQuestion]) and the test for a message that asks nothing
// ([Chitchat]). It sits below the answerers so that each can live in its
// own package; package rag re-exports these names.
package qa
