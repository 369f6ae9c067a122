package transport_test

import (
	"os"
	"strconv"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if url := os.Getenv(envClientURL); url != "" {
		n, _ := strconv.Atoi(os.Getenv(envClientN))
		runClients(url, n) // the client process of TestIdleConnectionCost
		return
	}
	goleak.VerifyTestMain(m)
}
