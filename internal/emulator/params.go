package emulator

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
)

// decodeParams decodes an API request body strictly into dst, a pointer to a struct whose json tags are
// the action's parameter names (case-sensitive, as the API is):
//   - the body must be a JSON object (InvalidParameter otherwise);
//   - a name that is not a parameter of the action gives UnknownParameter;
//   - a value of the wrong JSON type (a string for an Integer, a negative or fractional number for an
//     unsigned Integer, ...) gives InvalidParameter;
//   - null counts as absent.
//
// It also returns the parameters as generic JSON (numbers as json.Number) for the call log.
func decodeParams(body []byte, dst any) (map[string]any, *apiError) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return nil, newAPIError(CodeInvalidParameter, "The request body must be a JSON object.")
	}
	params := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	_ = dec.Decode(&params) // cannot fail: the same bytes decoded above

	target := reflect.ValueOf(dst).Elem()
	fieldByName := map[string]int{}
	for i := range target.NumField() {
		name, _, _ := strings.Cut(target.Type().Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			fieldByName[name] = i
		}
	}
	// Sorted so that the reported parameter does not depend on map order.
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		index, known := fieldByName[name]
		if !known {
			return params, errUnknownParameter(name)
		}
		if bytes.Equal(bytes.TrimSpace(raw[name]), []byte("null")) {
			continue
		}
		field := target.Field(index)
		if apiErr := decodeField(name, raw[name], field.Addr().Interface()); apiErr != nil {
			return params, apiErr
		}
	}
	return params, nil
}

func decodeField(name string, raw json.RawMessage, dst any) *apiError {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields() // nested objects are strict too
	err := dec.Decode(dst)
	if err == nil {
		return nil
	}
	if nested, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return errUnknownParameter(name + "." + strings.Trim(nested, `"`))
	}
	// Any other decoding failure is a value of the wrong JSON type (or an out-of-range number).
	return errParameterType(name, apiTypeName(reflect.TypeOf(dst).Elem()))
}

// apiTypeName names a Go parameter type the way the API reference does.
func apiTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "String"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "Integer (unsigned)"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "Integer"
	case reflect.Bool:
		return "Boolean"
	case reflect.Float32, reflect.Float64:
		return "Float"
	case reflect.Slice, reflect.Array:
		return "Array of " + apiTypeName(t.Elem())
	default:
		return "Object"
	}
}
