package deliver_test

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/deliver"
)

// rawHead accepts one request and returns its head as sent, answering 200.
func rawHead(t *testing.T) (url string, head <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		var b strings.Builder
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if line == "\r\n" {
				break
			}
			b.WriteString(line)
		}
		ch <- b.String()
		c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
	}()
	return "http://" + ln.Addr().String(), ch
}

// A replay (--keep-original) sends the captured headers in wire order, with
// their repeats and spelling, as Hooklens received them.
func TestReplayKeepsHeaderOrderRepeatsAndCase(t *testing.T) {
	s := openStore(t, t.TempDir())
	url, head := rawHead(t)
	e := &app.Event{ID: 1, Method: "POST", Body: []byte(`{"a":1}`), Headers: app.Headers{
		{Name: "Host", Value: "example.com"}, {Name: "x-zeta", Value: "1"}, {Name: "Stripe-Signature", Value: "t=1,v1=ab"},
		{Name: "X-Repeat", Value: "a"}, {Name: "content-type", Value: "application/json"}, {Name: "X-Repeat", Value: "b"},
		{Name: "Content-Length", Value: "7"}, {Name: "aaa-first", Value: "z"},
	}}
	d := app.Resend(e, url+"/hook")
	d.Sign = app.Signing{KeepOriginal: true}
	q := deliver.New(s, deliver.Options{})
	if err := q.Send(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if d.State != app.Delivered {
		t.Fatalf("state %s: %s", d.State, d.Reason)
	}
	got := <-head
	lines := strings.Split(strings.TrimSpace(got), "\r\n")
	want := []string{"POST /hook HTTP/1.1", "Host: " + strings.TrimPrefix(url, "http://"), "x-zeta: 1", "Stripe-Signature: t=1,v1=ab",
		"X-Repeat: a", "content-type: application/json", "X-Repeat: b", "aaa-first: z", "Content-Length: 7"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("head sent:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
