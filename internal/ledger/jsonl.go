package ledger

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// JSONRecord is what Go reads of a JSON Lines record that DuckDB could not
// read as an object.
type JSONRecord struct {
	Line int64
	// Problem says why the record is no JSON object ("malformed JSON: …",
	// "not a JSON object"); "" when Go reads it as one.
	Problem string
	// CardLike: its text, as written or with JSON's \u escapes decoded,
	// holds what looks like a full card number.
	CardLike bool
	// CutShort: it is no JSON, on the file's last line, which has no line
	// end: the file was cut off.
	CutShort bool
}

// ReadJSONRecords reads a JSON Lines file, gzipped when its name says so,
// for the records asked for: numbered from 0 as LineShift numbers them, in
// increasing order. A record beyond the file's last is not in the answer.
func ReadJSONRecords(path string, records []int64) ([]JSONRecord, error) {
	in, err := openText(path)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	r := bufio.NewReaderSize(in, 1<<20)
	var out []JSONRecord
	for line, record := int64(1), int64(0); len(records) > 0; line++ {
		text, filled, ended, err := readLine(r, record == records[0])
		if err != nil && err != io.EOF {
			return nil, readError(err, path, line)
		}
		if filled {
			if record == records[0] {
				out = append(out, describeJSON(text, line, !ended))
				records = records[1:]
			}
			record++
		}
		if err == io.EOF {
			break
		}
	}
	return out, nil
}

// readLine reads the next line: whether it holds a record (anything but
// jsonBlank), its text if keep, and whether it has a line end. err is
// io.EOF when the line is the file's last.
func readLine(r *bufio.Reader, keep bool) (text []byte, filled, ended bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		filled = filled || len(bytes.Trim(chunk, jsonBlank+"\n")) > 0
		if keep {
			text = append(text, chunk...)
		}
		if err != bufio.ErrBufferFull {
			return text, filled, err == nil, err
		}
	}
}

// describeJSON describes a record from the text of its line, with its
// line end if it has one.
func describeJSON(text []byte, line int64, unended bool) JSONRecord {
	text = bytes.TrimSuffix(bytes.TrimSuffix(text, []byte("\n")), []byte("\r"))
	s := string(text)
	return JSONRecord{Line: line, Problem: jsonProblem(text), CutShort: unended && !json.Valid(text),
		CardLike: CardLike(s) || bytes.IndexByte(text, '\\') >= 0 && CardLike(unescapeJSON(s))}
}

// jsonProblem says why a line's text is no JSON object, "" if it is one.
// Go reads JSON more strictly than DuckDB does (it refuses a comma before a
// closing brace, and NaN), so in a line DuckDB refuses too it may name
// another fault than DuckDB's. Neither reads a byte order mark as JSON: one
// the file begins with is passed over (openText, WithoutBOM), but one that
// begins another line is in its text.
func jsonProblem(text []byte) string {
	err := json.Unmarshal(text, new(json.RawMessage))
	var syntax *json.SyntaxError
	switch {
	case bytes.HasPrefix(text, []byte(utf8BOM)):
		return "malformed JSON: the line begins with a byte order mark (U+FEFF)"
	case errors.As(err, &syntax):
		return fmt.Sprintf("malformed JSON: %v (byte %d of the line)", err, syntax.Offset)
	case err != nil:
		return "malformed JSON: " + err.Error()
	case !utf8.Valid(text):
		return "malformed JSON: not UTF-8 text"
	case bytes.TrimLeft(text, " \t\r\n")[0] != '{': // JSON's spaces: it was read
		return "not a JSON object"
	}
	return ""
}

// jsonEscape is a character written as a JSON \u escape, which can spell a
// digit.
var jsonEscape = regexp.MustCompile(`\\u[0-9a-fA-F]{4}`)

func unescapeJSON(s string) string {
	return jsonEscape.ReplaceAllStringFunc(s, func(e string) string {
		r, _ := strconv.ParseUint(e[2:], 16, 32)
		return string(rune(r))
	})
}
