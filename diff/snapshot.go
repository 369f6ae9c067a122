package diff

import (
	"bytes"
	"encoding/binary"
	"math"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// A snapshot is the encoding of everything a pure range body can observe of
// one item: every value reachable from it (strings, numbers, booleans, the
// length and nil-ness of slices, maps and pointers, the dynamic type of
// interfaces) and, where the body may print a pointer, its address. Two
// items with equal snapshots of one static type render identically in a
// pure body, so an item whose snapshot equals the one an earlier render
// kept reuses that render's item. The snapshot is a copy, not a reference:
// data changed in place after a render cannot make a stale item look
// current.
//
// Values whose rendering could run code are not encoded (the item is then
// rendered every time): channels, functions, unsafe pointers, interfaces
// with methods, and any type with a method that printing (String, Error,
// Format, GoString, MarshalJSON, MarshalText) or a field look-up of the
// body could call.

// implicitMethods are the methods fmt, encoding/json, text/template and
// html/template call on values they print without being asked to.
var implicitMethods = []string{"String", "Error", "Format", "GoString", "MarshalJSON", "MarshalText"}

// Snapshot limits: an item deeper or larger than this is not cached.
const (
	maxSnapshotDepth = 64
	maxSnapshotBytes = 1 << 16
)

// codec encodes the values of one type.
type codec struct {
	kind   reflect.Kind
	elem   *codec   // array, slice, pointer elements; map values
	key    *codec   // map keys
	fields []*codec // struct fields, in order
	flatN  int      // array: the number of elements
	bytes  bool     // a slice or array of bytes, encoded at once
	// flat lists, for a struct or array made of numbers, booleans and
	// strings only, where those are in memory: an addressable value of it
	// is encoded from there, without reflection.
	flat []flatOp
}

// flatOp is one part of a flat value: size bytes at off, or the string
// at off.
type flatOp struct {
	off, size uintptr
	str       bool
}

// maxFlatOps bounds the parts of a flat value.
const maxFlatOps = 64

// flatOps appends the parts of a value of type t at offset off to ops,
// merging adjacent fixed-size parts. It reports false if t holds anything
// but numbers, booleans and strings, or too many parts.
func flatOps(t reflect.Type, off uintptr, ops []flatOp) ([]flatOp, bool) {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		if n := len(ops); n > 0 && !ops[n-1].str && ops[n-1].off+ops[n-1].size == off {
			ops[n-1].size += t.Size()
			return ops, true
		}
		ops = append(ops, flatOp{off: off, size: t.Size()})
	case reflect.String:
		ops = append(ops, flatOp{off: off, str: true})
	case reflect.Array:
		for i := range t.Len() {
			var ok bool
			if ops, ok = flatOps(t.Elem(), off+uintptr(i)*t.Elem().Size(), ops); !ok {
				return nil, false
			}
		}
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			var ok bool
			if ops, ok = flatOps(f.Type, off+f.Offset, ops); !ok {
				return nil, false
			}
		}
	default:
		return nil, false
	}
	return ops, len(ops) <= maxFlatOps
}

// appendFlat appends the flat value at p.
func appendFlat(b []byte, ops []flatOp, p unsafe.Pointer) []byte {
	for _, op := range ops {
		q := unsafe.Add(p, op.off)
		if op.str {
			str := *(*string)(q)
			b = binary.AppendUvarint(b, uint64(len(str)))
			b = append(b, str...)
			continue
		}
		b = append(b, unsafe.Slice((*byte)(q), op.size)...)
	}
	return b
}

// codecs builds and caches the codecs of one converted range: their
// validity depends on the names its body looks up. Safe for concurrent use.
type codecs struct {
	names map[string]bool
	types *typeIDs
	m     sync.Map // reflect.Type → *codec, nil when the type is not cacheable
}

// typeIDs numbers the dynamic types interfaces hold, for snapshots. Safe
// for concurrent use.
type typeIDs struct {
	m sync.Map // reflect.Type → uint64
	n atomic.Uint64
}

func (t *typeIDs) id(typ reflect.Type) uint64 {
	if v, ok := t.m.Load(typ); ok {
		return v.(uint64)
	}
	v, _ := t.m.LoadOrStore(typ, t.n.Add(1))
	return v.(uint64)
}

// get returns the codec of typ, nil if values of typ cannot be cached.
func (c *codecs) get(typ reflect.Type) *codec {
	if v, ok := c.m.Load(typ); ok {
		return v.(*codec)
	}
	b := codecBuilder{names: c.names, built: map[reflect.Type]*codec{}, state: map[reflect.Type]uint8{}}
	var cd *codec
	if b.cacheable(typ) {
		cd = b.build(typ)
	}
	v, _ := c.m.LoadOrStore(typ, cd)
	return v.(*codec)
}

type codecBuilder struct {
	names map[string]bool
	built map[reflect.Type]*codec
	state map[reflect.Type]uint8 // 1: being checked, 2: cacheable
}

// cacheable reports whether every type reachable from typ (interfaces
// excepted: their dynamic types are checked per value) can be encoded and
// has no method the body or printing could call.
func (b *codecBuilder) cacheable(typ reflect.Type) bool {
	if b.state[typ] != 0 { // checked, or a cycle back to a type being checked
		return true
	}
	b.state[typ] = 1
	if !b.noMethods(typ) {
		return false
	}
	ok := false
	switch typ.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.String:
		ok = true
	case reflect.Array, reflect.Slice, reflect.Pointer:
		ok = b.cacheable(typ.Elem())
	case reflect.Map:
		switch typ.Key().Kind() {
		case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			ok = b.cacheable(typ.Key()) && b.cacheable(typ.Elem())
		}
	case reflect.Struct:
		ok = true
		for i := range typ.NumField() {
			if !b.cacheable(typ.Field(i).Type) {
				ok = false
				break
			}
		}
	case reflect.Interface:
		ok = typ.NumMethod() == 0
	}
	if ok {
		b.state[typ] = 2
	}
	return ok
}

// noMethods reports whether neither typ nor *typ has a method printing
// calls or the body names.
func (b *codecBuilder) noMethods(typ reflect.Type) bool {
	if typ.Kind() == reflect.Interface {
		return true // checked on its own, and per dynamic value
	}
	for _, t := range []reflect.Type{typ, reflect.PointerTo(typ)} {
		if t.NumMethod() == 0 {
			continue
		}
		for _, m := range implicitMethods {
			if _, ok := t.MethodByName(m); ok {
				return false
			}
		}
		for m := range b.names {
			if _, ok := t.MethodByName(m); ok {
				return false
			}
		}
	}
	return true
}

// build returns the codec of a cacheable type.
func (b *codecBuilder) build(typ reflect.Type) *codec {
	if c, ok := b.built[typ]; ok {
		return c
	}
	c := &codec{kind: typ.Kind()}
	b.built[typ] = c
	switch c.kind {
	case reflect.Array:
		c.flatN = typ.Len()
		c.elem = b.build(typ.Elem())
		c.bytes = typ.Elem().Kind() == reflect.Uint8
	case reflect.Slice:
		c.elem = b.build(typ.Elem())
		c.bytes = typ.Elem().Kind() == reflect.Uint8
	case reflect.Pointer:
		c.elem = b.build(typ.Elem())
	case reflect.Map:
		c.key = b.build(typ.Key())
		c.elem = b.build(typ.Elem())
	case reflect.Struct:
		c.fields = make([]*codec, typ.NumField())
		for i := range c.fields {
			c.fields[i] = b.build(typ.Field(i).Type)
		}
	}
	if c.kind == reflect.Struct || c.kind == reflect.Array {
		if ops, ok := flatOps(typ, 0, nil); ok {
			c.flat = ops
		}
	}
	return c
}

// snapshotter encodes items of one range.
type snapshotter struct {
	codecs *codecs
	// identity: pointers below the item's own are encoded with their
	// address, because printing a value that holds one shows it.
	identity bool
	depth    int
	start    int // where the item being encoded starts in its buffer
	failed   bool
}

type mapEntry struct {
	key, val []byte
}

// appendItem appends the snapshot of v (an item of type c) to b. It
// returns b unchanged and false if v cannot be cached.
func (s *snapshotter) appendItem(b []byte, c *codec, v reflect.Value) ([]byte, bool) {
	s.start, s.depth, s.failed = len(b), 0, false
	b = append(b, 1) // a snapshot is never empty
	b = s.value(b, c, v, true)
	if s.failed || len(b)-s.start > maxSnapshotBytes {
		return b[:s.start], false
	}
	return b, true
}

// value appends the encoding of v. top is true while v is the item itself
// or reached from it through pointers and interfaces only: printing strips
// those, so their addresses never show.
func (s *snapshotter) value(b []byte, c *codec, v reflect.Value, top bool) []byte {
	if s.failed {
		return b
	}
	if s.depth >= maxSnapshotDepth || len(b)-s.start > maxSnapshotBytes {
		s.failed = true
		return b
	}
	s.depth++
	b = s.value1(b, c, v, top)
	s.depth--
	return b
}

func (s *snapshotter) value1(b []byte, c *codec, v reflect.Value, top bool) []byte {
	// Whether a value is addressable depends only on how it was reached
	// (slice elements and pointer targets are, interface and map contents
	// are not, fields and array elements are if their parent is) once the
	// item itself is (reuse.go makes sure): one position in a type is
	// always encoded the same way.
	if c.flat != nil && v.CanAddr() {
		return appendFlat(b, c.flat, v.Addr().UnsafePointer())
	}
	switch c.kind {
	case reflect.Bool:
		if v.Bool() {
			return append(b, 1)
		}
		return append(b, 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return binary.LittleEndian.AppendUint64(b, uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return binary.LittleEndian.AppendUint64(b, v.Uint())
	case reflect.Float32:
		return binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(v.Float())))
	case reflect.Float64:
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(v.Float()))
	case reflect.Complex64:
		x := v.Complex()
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(real(x))))
		return binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(imag(x))))
	case reflect.Complex128:
		x := v.Complex()
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(real(x)))
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(imag(x)))
	case reflect.String:
		str := v.String()
		b = binary.AppendUvarint(b, uint64(len(str)))
		return append(b, str...)
	case reflect.Array:
		if c.bytes { // the same encoding whether v is addressable or not
			for i := range c.flatN {
				b = append(b, byte(v.Index(i).Uint()))
			}
			return b
		}
		for i := range c.flatN {
			b = s.value(b, c.elem, v.Index(i), false)
		}
		return b
	case reflect.Slice:
		if v.IsNil() {
			return append(b, 0)
		}
		b = append(b, 1)
		b = binary.AppendUvarint(b, uint64(v.Len()))
		if c.bytes {
			return append(b, v.Bytes()...)
		}
		for i := range v.Len() {
			b = s.value(b, c.elem, v.Index(i), false)
		}
		return b
	case reflect.Struct:
		for i, f := range c.fields {
			b = s.value(b, f, v.Field(i), false)
		}
		return b
	case reflect.Pointer:
		if v.IsNil() {
			return append(b, 0)
		}
		b = append(b, 1)
		if s.identity && !top {
			b = binary.LittleEndian.AppendUint64(b, uint64(v.Pointer()))
		}
		return s.value(b, c.elem, v.Elem(), top)
	case reflect.Interface:
		if v.IsNil() {
			return append(b, 0)
		}
		e := v.Elem()
		ec := s.codecs.get(e.Type())
		if ec == nil {
			s.failed = true
			return b
		}
		b = binary.AppendUvarint(b, s.codecs.types.id(e.Type()))
		return s.value(b, ec, e, top)
	case reflect.Map:
		return s.mapValue(b, c, v)
	}
	s.failed = true
	return b
}

// mapValue appends a map's entries in the order of their encoded keys, so
// that equal maps encode equally whatever their iteration order.
func (s *snapshotter) mapValue(b []byte, c *codec, v reflect.Value) []byte {
	if v.IsNil() {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendUvarint(b, uint64(v.Len()))
	if v.Len() == 0 {
		return b
	}
	entries := make([]mapEntry, 0, v.Len())
	it := v.MapRange()
	start := s.start
	for it.Next() {
		s.start = 0 // the limits count from the entry's own buffer
		k := s.value(nil, c.key, it.Key(), false)
		val := s.value(nil, c.elem, it.Value(), false)
		s.start = start
		if s.failed {
			return b
		}
		entries = append(entries, mapEntry{key: k, val: val})
	}
	slices.SortFunc(entries, func(x, y mapEntry) int { return bytes.Compare(x.key, y.key) })
	for _, e := range entries {
		b = append(b, e.key...)
		b = append(b, e.val...)
	}
	return b
}
