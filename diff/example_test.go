package diff_test

import (
	"encoding/json"
	"fmt"
	"html/template"
	"log"

	"github.com/lvtgo/livetemplate/diff"
)

func ExampleCompile() {
	t := template.Must(template.New("page").Parse(`<h1>Hello, {{.}}!</h1>`))
	ct, err := diff.Compile(t)
	if err != nil {
		log.Fatal(err)
	}
	tree, err := ct.Render("<World>")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tree.HTML())
	// Output: <h1>Hello, &lt;World&gt;!</h1>
}

func ExampleDiff() {
	t := template.Must(template.New("counter").Parse(`<p>Count: {{.}}</p>`))
	ct, err := diff.Compile(t)
	if err != nil {
		log.Fatal(err)
	}
	prev, _ := ct.Render(1)
	next, _ := ct.Render(2)

	first, _ := prev.MarshalJSON() // what the first render sends
	patch, _ := json.Marshal(diff.Diff(prev, next))
	same, _ := json.Marshal(diff.Diff(next, next))
	fmt.Println(string(first))
	fmt.Println(string(patch))
	fmt.Println(string(same))
	// Output:
	// {"p":{"0":["<p>Count: ","</p>"]},"s":0,"0":"1"}
	// {"0":"2"}
	// {}
}

func ExampleTree_Apply() {
	t := template.Must(template.New("list").Parse(`<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>`))
	ct, err := diff.Compile(t)
	if err != nil {
		log.Fatal(err)
	}

	// The server renders and sends the first tree.
	prev, _ := ct.Render([]string{"milk", "eggs"})
	wire, _ := json.Marshal(prev)
	client, err := diff.ParseTree(wire)
	if err != nil {
		log.Fatal(err)
	}

	// Later it sends only a patch.
	next, _ := ct.Render([]string{"bread", "milk", "eggs"})
	patch, _ := json.Marshal(diff.Diff(prev, next))
	client, err = client.Apply(patch)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(patch))
	fmt.Println(client.HTML())
	// Output:
	// {"0":[["bread"]]}
	// <ul><li>bread</li><li>milk</li><li>eggs</li></ul>
}

func ExampleStream() {
	t := template.Must(template.New("page").Parse(`<main>{{if .}}<aside>Help: press ? for shortcuts</aside>{{end}}</main>`))
	ct, err := diff.Compile(t)
	if err != nil {
		log.Fatal(err)
	}
	var conn diff.Stream // one per live connection
	off, _ := ct.Render(false)
	on, _ := ct.Render(true)
	fmt.Println(string(conn.Full(off)))  // join: the full tree
	fmt.Println(string(conn.Update(on))) // the branch's statics travel once…
	fmt.Println(string(conn.Update(off)))
	fmt.Println(string(conn.Update(on))) // …and never again on this connection
	// Output:
	// {"p":{"1":["<main>","</main>"],"0":[""]},"s":1,"0":0}
	// {"p":{"2":["<aside>Help: press ? for shortcuts</aside>"]},"0":2}
	// {"0":0}
	// {"0":2}
}
