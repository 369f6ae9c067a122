package registry_test

import (
	"fmt"

	"github.com/lvtgo/livetemplate/registry"
)

func ExampleRegistry() {
	r := registry.New[string]()
	r.Add("tab-1", "group-a", "alice")
	r.Add("tab-2", "group-a", "alice")
	r.Add("tab-3", "group-b", "bob")

	fmt.Println(r.Group("group-a"), r.User("bob"), r.Groups())

	r.Remove("tab-1")
	fmt.Println(r.Len(), r.GroupLen("group-a"), r.All())
	// Output:
	// [tab-1 tab-2] [tab-3] [group-a group-b]
	// 2 1 [tab-2 tab-3]
}
