package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

// TestRenderLeavesNoFile: a render that panics leaves no temporary file
// behind, and gives its turn back.
func TestRenderLeavesNoFile(t *testing.T) {
	s, tmp := prometheusServer(t), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	func() {
		defer func() { recover() }()
		s.renderFile(httptest.NewRequest(http.MethodGet, "/", nil), func(w io.Writer) error {
			io.WriteString(w, "half a report")
			panic("the render failed")
		})
	}()
	if left, err := os.ReadDir(tmp); err != nil || len(left) != 0 || len(s.renders) != 0 {
		t.Errorf("after a render panicked: files %v (%v) and %d renders under way, want none", left, err, len(s.renders))
	}
}
