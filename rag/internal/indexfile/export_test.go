package indexfile

// AdviseWillNeedWith makes [Mapping.WillNeed] hand each range it would
// advise to f instead, until restore is called.
func AdviseWillNeedWith(f func(b []byte)) (restore func()) {
	old := adviseWillNeed
	adviseWillNeed = f
	return func() { adviseWillNeed = old }
}
