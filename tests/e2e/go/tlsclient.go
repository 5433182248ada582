// A small Go TLS client for the --tls scenarios: Go links crypto/tls into
// the program itself, so pidcap has to find its key hook in this file.
//
//	tlsclient [-tls12] [-wait] HOST:PORT PATH
//
// Sends one HTTP/1.1 GET and prints the response; with -wait, only after a
// line on standard input (so that a capture can start while it runs). With
// SSLKEYLOGFILE set it writes its secrets there, as curl does: the test's
// judge of the keys pidcap took.
package main

import (
	"bufio"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	tls12 := flag.Bool("tls12", false, "use TLS 1.2 (default: 1.3)")
	wait := flag.Bool("wait", false, "connect after a line on standard input")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: tlsclient [-tls12] [-wait] HOST:PORT PATH")
		os.Exit(2)
	}
	config := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13}
	if *tls12 {
		config.MinVersion = tls.VersionTLS12
		config.MaxVersion = tls.VersionTLS12
	}
	if name := os.Getenv("SSLKEYLOGFILE"); name != "" {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0600)
		if err != nil {
			fmt.Fprintln(os.Stderr, "tlsclient:", err)
			os.Exit(1)
		}
		defer f.Close()
		config.KeyLogWriter = f
	}
	if *wait {
		fmt.Println("waiting")
		bufio.NewReader(os.Stdin).ReadString('\n')
	}
	conn, err := tls.Dial("tcp", flag.Arg(0), config)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tlsclient:", err)
		os.Exit(1)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: tlsclient\r\nConnection: close\r\n\r\n",
		flag.Arg(1), flag.Arg(0))
	response, err := io.ReadAll(conn)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tlsclient:", err)
		os.Exit(1)
	}
	os.Stdout.Write(response)
}
