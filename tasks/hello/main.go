// Command hello is the smallest tamach task: it prints one line with the
// write system call (through the Go runtime's print path) and exits 0 with
// exit_group. The same binary runs on Linux.
package main

import "fmt"

func main() {
	fmt.Println("PASS hello")
}
