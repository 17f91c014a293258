package config

// SetBuiltinDefaults stamps the built-in defaults as -ldflags -X does for
// the container image's binary, and returns a function that restores them.
func SetBuiltinDefaults(dataDir, httpAddr string) (restore func()) {
	d, a := builtinDataDir, builtinHTTPAddr
	builtinDataDir, builtinHTTPAddr = dataDir, httpAddr
	return func() { builtinDataDir, builtinHTTPAddr = d, a }
}
