package check

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	texttemplate "text/template"
)

// missingKeyRE matches text/template's error for a missing map key under
// missingkey=error, giving its location and the key.
var missingKeyRE = regexp.MustCompile(`^template: (\S+:\d+:\d+): executing .* map has no entry for key ("(?:[^"\\]|\\.)*")$`)

// MissingStore returns a clear error for a render error of a strict page
// whose data is a map of stores (named stores) when the template read a
// key of the page's data the page does not have; or err itself.
func (r Refs) MissingStore(page string, stores []string, err error) error {
	var ee texttemplate.ExecError
	if !errors.As(err, &ee) {
		return err
	}
	m := missingKeyRE.FindStringSubmatch(ee.Err.Error())
	if m == nil {
		return err
	}
	key, uerr := strconv.Unquote(m[2])
	if uerr != nil || r[m[1]] != key {
		return err
	}
	return &MissingStoreError{Page: page, Key: key, Stores: stores, At: m[1], Err: err}
}

// MissingStoreError is a render error of a strict page that read a store
// it does not have.
type MissingStoreError struct {
	Page, Key string
	Stores    []string
	At        string // file:line:col
	Err       error  // the error of the render
}

func (e *MissingStoreError) Error() string {
	return fmt.Sprintf("livetemplate: template %q: no store named %q; the page's stores are: %s (at %s)",
		e.Page, e.Key, strings.Join(e.Stores, ", "), e.At)
}

func (e *MissingStoreError) Unwrap() error { return e.Err }
