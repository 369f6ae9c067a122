package check

import (
	"bytes"
	"strconv"
	"strings"
	"text/template/parse"
)

// mode is where an htmlState is in the HTML.
type mode uint8

const (
	modeText        mode = iota // between tags
	modeComment                 // in <!-- -->
	modeRaw                     // in the text of <script>, <style>, <textarea>, <title>
	modeTagName                 // in <name
	modeInTag                   // in a tag, between attributes
	modeAttrName                // in an attribute's name
	modeAfterName               // after an attribute's name: "=" or the next attribute
	modeBeforeValue             // after "=", before the value
	modeValue                   // in an attribute's value
)

// htmlState is where the scanner is in the templates' HTML, and the
// attribute it is reading. It is a value: the branches of an if start from
// the same state.
type htmlState struct {
	mode    mode
	quote   byte   // in modeValue: the value's quote, 0 if unquoted
	tag     string // the tag's name, lower case
	closing bool   // the tag is an end tag
	raw     string // in modeRaw: the element whose end tag ends the text

	attr    string // the attribute's name, lower case
	value   string // its value so far
	dynamic bool   // its name or value holds template output
	at      place  // where its value starts
}

// place is a position in a template: a tree and a TextNode of it, and a
// byte offset in the node's text.
type place struct {
	tree *parse.Tree
	node *parse.TextNode
	off  int
}

// rawElements hold text, not tags, up to their end tag.
var rawElements = map[string]bool{"script": true, "style": true, "textarea": true, "title": true, "xmp": true}

// output is the state after template output (an action, or a call or a
// branch whose text is unknown) at s: the attribute being read, if any,
// is not static.
func (s htmlState) output() htmlState {
	switch s.mode {
	case modeAttrName, modeValue:
		s.dynamic = true
	case modeBeforeValue:
		s.mode, s.quote, s.dynamic = modeValue, 0, true
	}
	return s
}

// scanText advances s over the text of node n of tree, calling attr for
// each attribute it ends.
func scanText(s htmlState, tree *parse.Tree, n *parse.TextNode, attr func(htmlState)) htmlState {
	b := n.Text
	for i := 0; i < len(b); i++ {
		ch := b[i]
		switch s.mode {
		case modeText:
			j := bytes.IndexByte(b[i:], '<')
			if j < 0 {
				return s
			}
			i += j
			rest := b[i+1:]
			switch {
			case bytes.HasPrefix(rest, []byte("!--")):
				s.mode = modeComment
				i += 3
			case len(rest) > 0 && isLetter(rest[0]):
				s.mode, s.tag, s.closing = modeTagName, "", false
			case len(rest) > 1 && rest[0] == '/' && isLetter(rest[1]):
				s.mode, s.tag, s.closing = modeTagName, "", true
				i++
			}
		case modeComment:
			j := bytes.Index(b[i:], []byte("-->"))
			if j < 0 {
				return s
			}
			i += j + 2
			s.mode = modeText
		case modeRaw:
			j := indexFold(b[i:], "</"+s.raw)
			if j < 0 {
				return s
			}
			i += j + 1 // at "/": the name is read next
			s.mode, s.tag, s.closing = modeTagName, "", true
		case modeTagName:
			switch {
			case isSpace(ch) || ch == '/':
				s.mode = modeInTag
			case ch == '>':
				s = s.endTag()
			default:
				s.tag += string(lower(ch))
			}
		case modeInTag:
			switch {
			case isSpace(ch) || ch == '/':
			case ch == '>':
				s = s.endTag()
			default:
				s = s.startAttr(ch)
			}
		case modeAttrName, modeAfterName:
			switch {
			case isSpace(ch):
				s.mode = modeAfterName
			case ch == '=':
				s.mode = modeBeforeValue
			case ch == '>':
				attr(s)
				s = s.endTag()
			case ch == '/':
				attr(s)
				s.mode = modeInTag
			case s.mode == modeAfterName: // the previous attribute had no value
				attr(s)
				s = s.startAttr(ch)
			default:
				s.attr += string(lower(ch))
			}
		case modeBeforeValue:
			switch {
			case isSpace(ch):
			case ch == '"' || ch == '\'':
				s.mode, s.quote, s.at = modeValue, ch, place{tree, n, i + 1}
			case ch == '>':
				attr(s)
				s = s.endTag()
			default:
				s.mode, s.quote, s.at = modeValue, 0, place{tree, n, i}
				s.value += string(ch)
			}
		case modeValue:
			if s.quote != 0 {
				j := bytes.IndexByte(b[i:], s.quote)
				if j < 0 {
					s.value += string(b[i:])
					return s
				}
				s.value += string(b[i : i+j])
				i += j
				attr(s)
				s.mode = modeInTag
				continue
			}
			switch {
			case isSpace(ch):
				attr(s)
				s.mode = modeInTag
			case ch == '>':
				attr(s)
				s = s.endTag()
			default:
				s.value += string(ch)
			}
		}
	}
	return s
}

// startAttr starts reading an attribute whose name starts with ch.
func (s htmlState) startAttr(ch byte) htmlState {
	s.mode, s.attr, s.value, s.dynamic, s.at = modeAttrName, string(lower(ch)), "", false, place{}
	return s
}

// endTag is the state after a tag's ">".
func (s htmlState) endTag() htmlState {
	s.mode = modeText
	if !s.closing && rawElements[s.tag] {
		s.mode, s.raw = modeRaw, s.tag
	}
	return s
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// indexFold is the index of the ASCII string sub in b, ignoring case, or -1.
func indexFold(b []byte, sub string) int {
	for i := 0; i+len(sub) <= len(b); i++ {
		if strings.EqualFold(string(b[i:i+len(sub)]), sub) {
			return i
		}
	}
	return -1
}

// location is where p is, "file:line:col", counted as text/template's
// ErrorContext counts: from the TextNode's own position, then through its
// text. After html/template has escaped a tree (it may remove comments, or
// write "<" as "&lt;", in a TextNode), the column may be off by that much.
func (p place) location() string {
	loc, _ := errorContext(p.tree, p.node)
	file, line, col := splitLoc(loc)
	if line == 0 {
		return loc
	}
	text := p.node.Text[:min(p.off, len(p.node.Text))]
	if nl := bytes.Count(text, []byte("\n")); nl > 0 {
		line += nl
		col = len(text) - bytes.LastIndexByte(text, '\n') - 1
	} else {
		col += len(text)
	}
	return file + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col)
}
