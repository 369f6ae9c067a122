package upload_test

import (
	"fmt"

	"github.com/lvtgo/livetemplate/upload"
)

func ExampleDetect() {
	fmt.Println(upload.Detect([]byte("\x89PNG\r\n\x1a\n")))
	fmt.Println(upload.Detect([]byte("just text, named photo.png")))
	// Output:
	// image/png
	// text/plain
}

func ExampleCheckName() {
	fmt.Println(upload.CheckName("holiday.jpg"))
	fmt.Println(upload.CheckName("../../etc/passwd"))
	// Output:
	// <nil>
	// upload: invalid file name: a path separator
}
