package store

// SetAfterWorkingTables makes Classify call f between its working tables
// and its transaction, until the returned func is called.
func SetAfterWorkingTables(f func()) (undo func()) {
	afterWorkingTables = f
	return func() { afterWorkingTables = nil }
}

// SetStepPlanned makes Classify give f each step's plan before running it,
// until the returned func is called.
func SetStepPlanned(f func(step, plan string)) (undo func()) {
	stepPlanned = f
	return func() { stepPlanned = nil }
}
