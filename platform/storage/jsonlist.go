package storage

import (
	"encoding/json"
	"fmt"
)

// EncodeList writes a list kept as a JSON array in a text column; an empty list is "[]".
func EncodeList[T any](v []T) (string, error) {
	if len(v) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// DecodeList reads a list EncodeList wrote; an empty one gives nil, as the domains leave an unset
// list. column (table.column) names the column in the error.
func DecodeList[T any](s, column string) ([]T, error) {
	var v []T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("store: %s: %w", column, err)
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}
