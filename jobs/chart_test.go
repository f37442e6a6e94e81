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
	cats := regexp.MustCompile(`<cat><strRef><f>([^<]*)</f>`)
	var got []string
	for _, x := range chartParts(t, realRun(t).workbook) {
		for _, m := range cats.FindAllStringSubmatch(x, -1) {
			if ref := html.UnescapeString(m[1]); strings.HasPrefix(ref, "'Recovery by profile'!") {
				got = append(got, ref)
			}
		}
	}
	if len(got) != 1 || !regexp.MustCompile(`!\$A\$\d+:\$B\$\d+$`).MatchString(got[0]) {
		t.Errorf("Recovery by profile chart categories: %q, want one range over columns A (profile) and B (environment)", got)
	}
}

// TestRecoveryByProfileChartReadsAsRates: rendered by LibreOffice, the
// chart's value axis ran from 0.31 to 0.4, so a 39 % rate stood three times
// as tall as a 34 % one, in numbers rather than percentages; every bar had a
// colour of its own with no legend to say why, and the axis labels were in
// a grey at 85 % lightness. The axis now starts at zero, in percent, one
// colour for the one measure, labels in Excel's grey.
func TestRecoveryByProfileChartReadsAsRates(t *testing.T) {
	var chart string
	for _, x := range chartParts(t, realRun(t).workbook) {
		if strings.Contains(html.UnescapeString(x), "'Recovery by profile'!") {
			chart = x
		}
	}
	valAx := regexp.MustCompile(`<valAx>.*</valAx>`).FindString(chart)
	for _, want := range []string{`min val="0"`, `formatCode="0%"`, `srgbClr val="595959"`} {
		if !strings.Contains(valAx, want) {
			t.Errorf("Recovery by profile chart's value axis lacks %s:\n%s", want, valAx)
		}
	}
	if !strings.Contains(chart, `varyColors val="0"`) {
		t.Errorf("Recovery by profile chart varies its colours by bar: %s", regexp.MustCompile(`<varyColors[^>]*>`).FindString(chart))
	}
}

// chartParts is the XML of each chart of a workbook: excelize has no API to
// read charts back.
func chartParts(t *testing.T, data []byte) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
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
		parts = append(parts, string(x))
	}
	return parts
}
