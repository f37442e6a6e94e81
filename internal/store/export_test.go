package store

// SetAfterWorkingTables makes Classify call f between its working tables
// and its transaction, until the returned func is called.
func SetAfterWorkingTables(f func()) (undo func()) {
	afterWorkingTables = f
	return func() { afterWorkingTables = nil }
}
