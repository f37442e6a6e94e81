package web

import (
	"encoding/json"
	"net/http"
	"reflect"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(withEmptyLists(v))
}

// withEmptyLists is v with every nil slice in it, at any depth, made empty:
// Go writes a nil slice as null, and a script should find a list it can
// loop over (an explanation with no findings has "findings": []).
func withEmptyLists(v any) any {
	if v == nil {
		return nil
	}
	copied := reflect.New(reflect.TypeOf(v)).Elem()
	copied.Set(reflect.ValueOf(v))
	fillLists(copied)
	return copied.Interface()
}

// fillLists makes the nil slices in v, which must be settable, empty.
func fillLists(v reflect.Value) {
	switch v.Kind() {
	case reflect.Slice:
		if v.IsNil() {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		}
		for i := range v.Len() {
			fillLists(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillLists(v.Field(i))
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			fillLists(v.Elem())
		}
	}
}
