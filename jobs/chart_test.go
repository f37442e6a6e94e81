package jobs_test

import (
	"archive/zip"
	"bytes"
	"html"
	"io"
	"regexp"
	"strings"
	"testing"
)

// TestRecoveryByProfileChartNamesTheEnvironment: the sheet has a row per
// profile and environment, so the chart's bars are labelled by both columns
// (Profile and Environment, A and B): by the profile alone, a profile's
// sandbox bar beside its production one bore the same name.
func TestRecoveryByProfileChartNamesTheEnvironment(t *testing.T) {
	data := realRun(t).workbook
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	cats := regexp.MustCompile(`<cat><strRef><f>([^<]*)</f>`)
	var got []string
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/charts/chart") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		x, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range cats.FindAllStringSubmatch(string(x), -1) {
			if ref := html.UnescapeString(m[1]); strings.HasPrefix(ref, "'Recovery by profile'!") {
				got = append(got, ref)
			}
		}
	}
	if len(got) != 1 || !regexp.MustCompile(`!\$A\$\d+:\$B\$\d+$`).MatchString(got[0]) {
		t.Errorf("Recovery by profile chart categories: %q, want one range over columns A (profile) and B (environment)", got)
	}
}
