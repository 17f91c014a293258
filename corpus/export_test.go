package corpus

// Internals for the external tests.
var (
	CollapseSpace  = collapseSpace
	CountWords     = countWords
	MayHaveAd      = mayHaveAd
	MayHaveCredit  = mayHaveCredit
	PhotoCreditRE  = photoCreditRE
	AdSentenceREs  = adSentenceREs
	JSONLBatchSize = jsonlBatch
)
