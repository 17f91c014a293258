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
	DecodeSnapshot = decodeSnapshot
)

// SnapshotMagic starts a snapshot file.
const SnapshotMagic = snapshotMagic
