package lease

import "encoding/json"

// record is what a lease holds in the store: who holds it ("" when it was
// freed).
type record struct {
	Holder string `json:"holder"`
}

// unknown stands for the holder of a record that does not decode: someone,
// not this instance, so the lease is taken only once it runs out.
const unknown = "\x00"

func encode(holder string) []byte {
	b, _ := json.Marshal(record{Holder: holder}) // a string always encodes
	return b
}

func decode(b []byte) string {
	var r record
	if json.Unmarshal(b, &r) != nil {
		return unknown
	}
	return r.Holder
}
