package form

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// FieldError is a value of key that does not convert.
type FieldError struct {
	Field   string
	Message string
}

// Error implements error.
func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Text renders one JSON value as the text a user typed: a string as is, a
// number or boolean as written, the first element of an array. ok is false
// for a missing, null or object value.
func Text(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	case '[':
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) != nil || len(arr) == 0 {
			return "", false
		}
		return Text(arr[0])
	case 'n', '{':
		return "", false
	default:
		return string(raw), true
	}
}

// Texts returns every value of raw: each element of an array, or the one
// value; none when missing.
func Texts(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) == nil {
		out := make([]string, 0, len(arr))
		for _, v := range arr {
			if s, ok := Text(v); ok {
				out = append(out, s)
			}
		}
		return out
	}
	if s, ok := Text(raw); ok {
		return []string{s}
	}
	return nil
}

// Int returns data[key] as an int, or a *FieldError.
func Int(data map[string]json.RawMessage, key string) (int, error) {
	s, _ := Text(data[key])
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, &FieldError{Field: key, Message: "must be a whole number"}
	}
	return n, nil
}

// Float returns data[key] as a float64, or a *FieldError.
func Float(data map[string]json.RawMessage, key string) (float64, error) {
	s, _ := Text(data[key])
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, &FieldError{Field: key, Message: "must be a number"}
	}
	return f, nil
}

// Bool returns raw as a bool: true for "on", "true", "1", "yes", "checked"
// or JSON true; false otherwise.
func Bool(raw json.RawMessage) bool {
	s, _ := Text(raw)
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true", "1", "yes", "checked":
		return true
	}
	return false
}

// Bind fills the exported fields of the struct v points to from data. A
// field's key is its `lvt` tag, else its `json` tag name, else its name;
// keys match case-insensitively. A value that does not convert gives a
// *FieldError; missing keys leave fields unchanged.
func Bind(data map[string]json.RawMessage, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("livetemplate: bind: need a non-nil pointer to a struct, got %T", v)
	}
	rv = rv.Elem()
	keys := make(map[string]string, len(data))
	for k := range data {
		keys[strings.ToLower(k)] = k
	}
	rt := rv.Type()
	for i := range rt.NumField() {
		f := rt.Field(i)
		if !f.IsExported() {
			continue
		}
		key := fieldKey(f)
		if key == "-" {
			continue
		}
		dataKey, ok := keys[strings.ToLower(key)]
		if !ok {
			continue
		}
		if err := set(rv.Field(i), data, dataKey); err != nil {
			return err
		}
	}
	return nil
}

func fieldKey(f reflect.StructField) string {
	if tag, ok := f.Tag.Lookup("lvt"); ok && tag != "" {
		return tag
	}
	if tag, ok := f.Tag.Lookup("json"); ok {
		if name, _, _ := strings.Cut(tag, ","); name != "" {
			return name
		}
	}
	return f.Name
}

func set(fv reflect.Value, data map[string]json.RawMessage, key string) error {
	s, _ := Text(data[key])
	s2 := strings.TrimSpace(s)
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(s)
	case reflect.Bool:
		fv.SetBool(Bool(data[key]))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s2, 10, fv.Type().Bits())
		if err != nil {
			return &FieldError{Field: key, Message: "must be a whole number"}
		}
		fv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s2, 10, fv.Type().Bits())
		if err != nil {
			return &FieldError{Field: key, Message: "must be a whole number, zero or more"}
		}
		fv.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s2, fv.Type().Bits())
		if err != nil {
			return &FieldError{Field: key, Message: "must be a number"}
		}
		fv.SetFloat(f)
	case reflect.Slice:
		if fv.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("livetemplate: bind %q: unsupported field type %s", key, fv.Type())
		}
		vals := Texts(data[key])
		out := reflect.MakeSlice(fv.Type(), len(vals), len(vals))
		for i, v := range vals {
			out.Index(i).SetString(v)
		}
		fv.Set(out)
	default:
		return fmt.Errorf("livetemplate: bind %q: unsupported field type %s", key, fv.Type())
	}
	return nil
}
