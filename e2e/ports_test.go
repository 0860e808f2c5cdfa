package e2e

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"testing"
)

// freePort is a port of 127.0.0.1 that nothing listens on, for a process the test starts. It is
// drawn below the kernel's ephemeral range (ip_local_port_range): a port that the kernel hands
// out for ":0" is free again the moment it is closed, and any outgoing connection of the
// machine's other tests may take it before the process binds it ("address already in use");
// the kernel never gives a port below that range to a connection. Each port is given once per
// run.
func freePort(t *testing.T) int {
	t.Helper()
	ports.Lock()
	defer ports.Unlock()
	low := ephemeralLow()
	for range 1000 {
		p := portFloor + rand.IntN(low-portFloor)
		if ports.given[p] {
			continue
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			continue
		}
		l.Close()
		ports.given[p] = true
		return p
	}
	t.Fatalf("no free port in [%d, %d)", portFloor, low)
	return 0
}

// portFloor is the lowest port freePort draws: above the well-known and most registered
// services' ports.
const portFloor = 20000

var ports = struct {
	sync.Mutex
	given map[int]bool
}{given: map[int]bool{}}

// ephemeralLow is the first port of the kernel's ephemeral range (32768 when unknown).
func ephemeralLow() int {
	low, high := 32768, 0
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if _, err := fmt.Sscan(string(b), &low, &high); err != nil || low <= portFloor+1000 {
			low = 32768
		}
	}
	return low
}
